/**
 * `aekit serve` over real HTTP (a server on 127.0.0.1, Node's fetch): every endpoint on small
 * models, the bad requests the issue lists (each a 4xx with a message, the server still serving),
 * micro-batching, graceful shutdown, and training runs (SSE events, DELETE at a checkpoint, the
 * finished run served at once).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as ak from '../src/index.js';
import { encodeNpy, parseNpy } from '../src/data/npy.js';
import { normalizerFromJSON } from '../src/data/normalize.js';
import { saveModelDir } from '../src/io/model-dir.js';
import { createModel, fitModelToData, parseModelConfig, registerBuiltinModels } from '../src/models/index.js';
import { loadServedModel } from '../src/serve/models.js';
import { createServer, type Server } from '../src/serve/server.js';
import { tempDir } from './helpers.js';
import { AnomalyDetector } from '../src/apps/anomaly.js';
import { saveDetector } from '../src/apps/anomaly-file.js';

await ak.setBackend('reference');
registerBuiltinModels();

const TOKEN = 'test-token';
const root = tempDir('aekit-serve-');

function saveModel(name: string, config: Record<string, unknown>, shape: number[], normalize = false): string {
  const model = createModel(fitModelToData(parseModelConfig(config), shape), new ak.Rng(3));
  const width = shape.reduce((a, b) => a * b, 1);
  const normalizer = normalize ? normalizerFromJSON({ kind: 'standard', offset: Array.from({ length: width }, (_, i) => i * 0.1), scale: Array.from({ length: width }, () => 2) }) : null;
  const dir = join(root, name);
  saveModelDir(dir, { model, sampleShape: shape, normalizer });
  return dir;
}

const dense = saveModel('dense', { kind: 'dense', hidden: [8], latentDim: 3, loss: 'mse', outputActivation: 'linear' }, [6], true);
writeFileSync(join(dense, 'anomaly.json'), JSON.stringify({ format: 'aekit-anomaly', formatVersion: 1, score: 'reconstruction', members: 1, threshold: 0.5, featureWeights: null }));
const vae = saveModel('vae', { kind: 'vae', hidden: [8], latentDim: 2 }, [1, 2, 3]);
const cvae = saveModel('cvae', { kind: 'cvae', hidden: [8], latentDim: 2, numClasses: 3 }, [6]);

async function start(over: Partial<Parameters<typeof createServer>[0]> = {}): Promise<{ server: Server; url: string }> {
  const server = await createServer({
    models: [loadServedModel('dense', dense), loadServedModel('v', vae), loadServedModel('cvae', cvae)],
    token: TOKEN, batchWindowUs: 2000, maxBatchRows: 512, bodyLimit: 1024 * 1024, requestTimeoutMs: 10_000, runsDir: join(root, 'runs'), version: 'test', ...over,
  });
  const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
  return { server, url };
}

const auth = { authorization: `Bearer ${TOKEN}` };
const jsonHeaders = { ...auth, 'content-type': 'application/json' };

async function post(url: string, body: unknown, headers: Record<string, string> = jsonHeaders): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: r.status, body: parsed };
}

describe('aekit serve', () => {
  let server: Server;
  let url: string;
  before(async () => ({ server, url } = await start()));
  after(async () => server.close());

  const alive = async () => {
    const r = await fetch(`${url}/healthz`);
    assert.equal(r.status, 200, 'the server still serves');
  };

  test('GET /healthz (no token), /v1/models, /v1/models/{name}', async () => {
    assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: 'ok', models: 3 });
    const list = (await (await fetch(`${url}/v1/models`, { headers: auth })).json()) as { models: { name: string; operations: string[] }[] };
    assert.deepEqual(list.models.map((m) => m.name), ['dense', 'v', 'cvae']);
    assert.deepEqual(list.models[0]!.operations, ['encode', 'decode', 'reconstruct', 'score']);
    assert.ok(list.models[1]!.operations.includes('sample'));
    const one = (await (await fetch(`${url}/v1/models/v`, { headers: auth })).json()) as Record<string, any>;
    assert.deepEqual([one.inputShape, one.latentDim, one.config.kind, one.latentKind], [[1, 2, 3], 2, 'vae', 'gaussian']);
  });

  test('encode, decode, reconstruct match the model in data units; score flags rows with the saved threshold', async () => {
    const m = loadServedModel('dense', dense);
    const rows = [[0, 1, 2, 3, 4, 5], [0.5, -1, 2, 0, 1, 9]];
    const flat = Float32Array.from(rows.flat());
    for (const op of ['encode', 'reconstruct'] as const) {
      const r = await post(`${url}/v1/models/dense/${op}`, { inputs: rows });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.outputs.flat(), Array.from(m.run(op, flat, 2, null)));
    }
    const d = await post(`${url}/v1/models/dense/decode`, { inputs: [[0.1, 0.2, 0.3]] });
    assert.deepEqual(d.body.outputs.flat(), Array.from(m.run('decode', Float32Array.of(0.1, 0.2, 0.3), 1, null)));
    const s = await post(`${url}/v1/models/dense/score`, { inputs: rows });
    assert.equal(s.status, 200);
    assert.equal(s.body.threshold, 0.5);
    assert.deepEqual(s.body.flags, s.body.scores.map((v: number) => v > 0.5));
    assert.ok(s.body.scores.every((v: number) => v >= 0));
  });

  test('sample: n rows, repeatable by seed; a conditional model takes labels', async () => {
    const a = await post(`${url}/v1/models/v/sample`, { n: 4, seed: 7 });
    const b = await post(`${url}/v1/models/v/sample`, { n: 4, seed: 7 });
    assert.equal(a.status, 200);
    assert.equal(a.body.outputs.length, 4);
    assert.equal(a.body.outputs[0].length, 6);
    assert.deepEqual(a.body, b.body);
    const c = await post(`${url}/v1/models/cvae/sample`, { n: 2, seed: 1, labels: [0, 2] });
    assert.equal(c.status, 200);
    assert.equal((await post(`${url}/v1/models/cvae/encode`, { inputs: [[1, 2, 3, 4, 5, 6]], labels: [1] })).status, 200);
    assert.equal((await post(`${url}/v1/models/cvae/encode`, { inputs: [[1, 2, 3, 4, 5, 6]] })).status, 400);
    assert.equal((await post(`${url}/v1/models/cvae/encode`, { inputs: [[1, 2, 3, 4, 5, 6]], labels: [3] })).status, 400);
    assert.equal((await post(`${url}/v1/models/dense/sample`, { n: 2 })).status, 400);
  });

  test('NPY bodies in and out, (n, width) or (n, …input shape)', async () => {
    const x = Float32Array.from({ length: 12 }, (_, i) => i / 12);
    const [h, d] = encodeNpy(x, [2, 1, 2, 3]);
    const r = await fetch(`${url}/v1/models/v/reconstruct`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-npy' }, body: Buffer.concat([h, d]) });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/x-npy');
    const arr = parseNpy(new Uint8Array(await r.arrayBuffer()), 'answer');
    assert.deepEqual(arr.shape, [2, 6]);
    const j = await post(`${url}/v1/models/v/reconstruct`, { inputs: [Array.from(x.subarray(0, 6)), Array.from(x.subarray(6))] });
    assert.deepEqual(Array.from(arr.data as Float32Array), j.body.outputs.flat());
    const [h2, d2] = encodeNpy(Float32Array.of(1, NaN, 0, 0, 0, 0), [1, 6]);
    const nan = await post(`${url}/v1/models/v/encode`, Buffer.concat([h2, d2]), { ...auth, 'content-type': 'application/x-npy' });
    assert.equal(nan.status, 400);
    assert.match(nan.body.error, /not a finite/);
    const wrong = await post(`${url}/v1/models/v/encode`, Buffer.concat(encodeNpy(new Float32Array(10), [2, 5])), { ...auth, 'content-type': 'application/x-npy' });
    assert.equal(wrong.status, 400);
    assert.equal((await post(`${url}/v1/models/v/encode`, Uint8Array.of(1, 2, 3), { ...auth, 'content-type': 'application/x-npy' })).status, 400);
  });

  test('bad requests: each a 4xx with a message, and the server keeps serving', async () => {
    const enc = `${url}/v1/models/dense/encode`;
    const cases: [string, Promise<{ status: number; body: any }>, number, RegExp][] = [
      ['malformed JSON', post(enc, '{"inputs": [[1, 2'), 400, /not valid JSON/],
      ['wrong width', post(enc, { inputs: [[1, 2, 3]] }), 400, /3 values.*rows of 6/],
      ['NaN', post(enc, '{"inputs": [[NaN, 1, 2, 3, 4, 5]]}'), 400, /JSON/],
      ['a value beyond float32', post(enc, { inputs: [[1e39, 1, 2, 3, 4, 5]] }), 400, /finite float32/],
      ['a string', post(enc, { inputs: [['1', 1, 2, 3, 4, 5]] }), 400, /inputs\[0\]\[0\]/],
      ['an empty batch', post(enc, { inputs: [] }), 400, /inputs/],
      ['no body', post(enc, ''), 400, /body/i],
      ['an unknown field', post(enc, { inputs: [[1, 2, 3, 4, 5, 6]], extra: 1 }), 400, /extra|Unrecognized/],
      ['a 100 MB body', post(enc, new Uint8Array(100 * 1024 * 1024)), 413, /larger than/],
      ['an unknown model', post(`${url}/v1/models/nope/encode`, { inputs: [[1]] }), 404, /no model 'nope'/],
      ['an unknown operation', post(`${url}/v1/models/dense/explode`, { inputs: [[1]] }), 404, /unknown operation/],
      ['a missing token', post(enc, { inputs: [[1, 2, 3, 4, 5, 6]] }, { 'content-type': 'application/json' }), 401, /bearer token/],
      ['a wrong token', post(enc, { inputs: [[1, 2, 3, 4, 5, 6]] }, { authorization: 'Bearer nope', 'content-type': 'application/json' }), 401, /wrong bearer token/],
      ['an unsupported content type', post(enc, 'inputs=1', { ...auth, 'content-type': 'text/csv' }), 415, /./],
      ['a sample of 0', post(`${url}/v1/models/v/sample`, { n: 0 }), 400, /n:/],
    ];
    for (const [what, promise, status, message] of cases) {
      const r = await promise;
      assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body).slice(0, 200)}`);
      assert.match(String(r.body.error), message, what);
      await alive();
    }
    const metrics = await (await fetch(`${url}/metrics`, { headers: auth })).text();
    assert.match(metrics, /aekit_http_errors_total\{route="\/v1\/models\/:name\/:op",class="4xx"\} \d+/);
    assert.doesNotMatch(metrics, /class="5xx"/);
  });

  test('concurrent small requests run as micro-batches; /metrics counts requests, latency and batch sizes', async () => {
    const before = server.metrics.batchSizes.count;
    const rs = await Promise.all(Array.from({ length: 32 }, (_, i) => post(`${url}/v1/models/dense/encode`, { inputs: [[i, 1, 2, 3, 4, 5]] })));
    assert.ok(rs.every((r) => r.status === 200));
    const batches = server.metrics.batchSizes.count - before;
    assert.ok(batches < 32, `32 requests ran in ${batches} batches`);
    const m = await (await fetch(`${url}/metrics`, { headers: auth })).text();
    for (const name of ['aekit_http_requests_total', 'aekit_http_request_duration_seconds_bucket', 'aekit_batch_rows_bucket', 'aekit_http_errors_total']) assert.ok(m.includes(name), name);
  });

  test('GET /openapi.json: OpenAPI 3.1 with every route and the bodies\' schemas', async () => {
    const doc = (await (await fetch(`${url}/openapi.json`, { headers: auth })).json()) as any;
    assert.equal(doc.openapi, '3.1.0');
    for (const p of ['/v1/models', '/v1/models/{name}/encode', '/v1/models/{name}/sample', '/v1/runs', '/v1/runs/{id}/events', '/metrics']) assert.ok(doc.paths[p], p);
    assert.equal(doc.components.schemas.RowsRequest.properties.inputs.type, 'array');
    assert.equal(doc.components.schemas.SampleRequest.properties.n.maximum, 10_000);
    assert.ok(doc.components.schemas.RunRequest.properties.config.properties.model);
  });
});

test('graceful shutdown: an in-flight request finishes, new connections are refused', async () => {
  const { server, url } = await start({ batchWindowUs: 1_000_000 });
  await fetch(`${url}/healthz`); // the client's first connection is slow to open
  const inflight = post(`${url}/v1/models/dense/encode`, { inputs: [[1, 2, 3, 4, 5, 6]] });
  await new Promise((r) => setTimeout(r, 300));
  const closing = server.close();
  const r = await inflight;
  assert.equal(r.status, 200);
  await closing;
  await assert.rejects(fetch(`${url}/healthz`));
});

describe('training runs over HTTP', () => {
  let server: Server;
  let url: string;
  before(async () => ({ server, url } = await start()));
  after(async () => server.close());

  const config = (epochs: number) => ({ model: { kind: 'dense', hidden: [16], latentDim: 2 }, data: { limit: 600 }, train: { epochs, batchSize: 100, backend: 'reference' } });

  /** The SSE stream's events until `end`. */
  async function events(id: string, until?: (type: string) => boolean): Promise<{ type: string; data: any }[]> {
    const r = await fetch(`${url}/v1/runs/${id}/events`, { headers: auth });
    assert.equal(r.headers.get('content-type'), 'text/event-stream');
    const out: { type: string; data: any }[] = [];
    const reader = r.body!.getReader();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      let i;
      while ((i = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, i);
        text = text.slice(i + 2);
        const type = /^event: (.*)$/m.exec(block)![1]!;
        out.push({ type, data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) });
        if (until?.(type)) {
          await reader.cancel();
          return out;
        }
      }
    }
    return out;
  }

  test('POST /v1/runs trains in a child process, streams its events, and the finished run is served at once', async () => {
    const r = await post(`${url}/v1/runs`, { config: config(2), name: 'small' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const ev = await events('small');
    const types = ev.map((e) => e.type);
    for (const t of ['run_start', 'epoch_end', 'checkpoint', 'end']) assert.ok(types.includes(t), `${t} in ${types.join(',')}`);
    assert.equal(ev.at(-1)!.data.status, 'finished');
    assert.equal(ev.at(-1)!.data.served, true);
    const enc = await post(`${url}/v1/models/small/encode`, { inputs: [new Array(784).fill(0.5)] });
    assert.equal(enc.status, 200);
    assert.equal(enc.body.outputs[0].length, 2);
    assert.equal((await post(`${url}/v1/runs`, { config: config(2), name: 'small' })).status, 409);
    assert.equal((await post(`${url}/v1/runs`, { config: { model: { kind: 'dense', latentDim: 0 } } })).status, 400);
    assert.equal((await post(`${url}/v1/runs`, { config: { optimiser: {} } })).status, 400);
  });

  test('DELETE /v1/runs/:id stops a run at its last checkpoint (a valid, resumable run)', async () => {
    const r = await post(`${url}/v1/runs`, { config: config(500), name: 'long' });
    assert.equal(r.status, 201);
    await events('long', (t) => t === 'checkpoint');
    const d = await fetch(`${url}/v1/runs/long`, { method: 'DELETE', headers: auth });
    const info = (await d.json()) as Record<string, any>;
    assert.equal(d.status, 200);
    assert.deepEqual([info.state, info.exitCode, info.status], ['exited', 143, 'interrupted']);
    assert.ok(info.epochsDone >= 1);
    const run = JSON.parse(readFileSync(join(root, 'runs', 'long', 'run.json'), 'utf8'));
    assert.equal(run.status, 'interrupted');
    assert.ok(loadServedModel('long', join(root, 'runs', 'long')).note, 'the stopped run loads from its checkpoint');
    assert.equal((await fetch(`${url}/v1/runs/nope`, { headers: auth })).status, 404);
  });
});

describe('score with a whole detector', () => {
  test('the default ensemble (AEs and VAEs, scores standardised per member) is scored as the library scores it, with its threshold', async () => {
    const width = 5;
    const rng = new ak.Rng(11);
    const n = 120;
    const x = Float32Array.from({ length: n * width }, () => rng.normal());
    const data = { x, n, dim: width, sampleShape: [width], labels: null, source: 'fixture' };
    const det = await new AnomalyDetector({ members: 4, train: { epochs: 2, seed: 5 }, threshold: { kind: 'contamination', value: 0.1 } }).fit(data);
    assert.equal(det.combine, 'standardized', 'the default combines standardised scores');
    const dir = join(root, 'ensemble');
    saveDetector(dir, det, { rule: { kind: 'contamination', value: 0.1 }, sampleShape: [width] });
    const served = loadServedModel('ens', dir);
    assert.ok(served.operations().includes('score'), `score offered (problem: ${served.scoreProblem})`);
    const server = await createServer({ models: [served], token: null, batchWindowUs: 500, maxBatchRows: 64, bodyLimit: 1 << 20, requestTimeoutMs: 10_000, runsDir: join(root, 'runs2'), version: 'test' });
    const url = await server.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const rows = Array.from({ length: 7 }, (_, i) => Array.from(x.subarray(i * width, (i + 1) * width)));
      rows.push([9, -9, 9, -9, 9]);
      const r = await post(`${url}/v1/models/ens/score`, { inputs: rows }, { 'content-type': 'application/json' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const want = det.score({ ...data, x: Float32Array.from(rows.flat()), n: rows.length });
      r.body.scores.forEach((v: number, i: number) => assert.ok(Math.abs(v - want[i]!) <= 1e-5 * Math.max(1, Math.abs(want[i]!)), `row ${i}: served ${v}, library ${want[i]}`));
      assert.deepEqual(r.body.flags, Array.from(want, (v) => v > det.threshold));
      assert.equal(r.body.flags.at(-1), true, 'the far row is flagged');
    } finally {
      await server.close();
    }
  });
});
