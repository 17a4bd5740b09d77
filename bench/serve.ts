/**
 * `aekit serve` acceptance (issue 12), all against 127.0.0.1 in one run:
 *  1. throughput: single-row encode requests to a Model A model (keras-deep, 1 epoch) from 64
 *     concurrent autocannon clients, aekit serve against the same model exported to ONNX and run by
 *     onnxruntime-node behind the same Fastify (bench/serve-ort.ts); rounds alternate the two;
 *  2. 60 s at twice aekit's measured saturation rate: requests lost (errors, timeouts), 5xx, RSS
 *     of the server at start and end;
 *  3. a fast-check fuzz run of malformed requests (random JSON shapes, near-miss bodies, bytes,
 *     NPY bodies, content types, tokens, paths): every answer must be a 4xx and the server alive.
 * Usage: node dist/bench/serve.js [--seconds 15] [--rounds 2] [--saturation-seconds 60] [--fuzz 10000]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { encodeNpy } from '../src/data/npy.js';
import { loadDataset } from '../src/train/data-setup.js';
import { ROOT } from './peer.js';

interface CannonResult {
  requests: { average: number; sent: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  '4xx': number;
  '5xx': number;
  resets: number;
}
type Cannon = (o: Record<string, unknown>) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, rounds: { type: 'string', default: '2' }, 'saturation-seconds': { type: 'string', default: '60' }, fuzz: { type: 'string', default: '10000' }, token: { type: 'string', default: 'bench-token' } } });
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const TOKEN = values.token!;
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'aekit-serve-bench-'));

function run(args: string[]): void {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
}

async function waitHealthy(port: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no server on port ${port}`);
}

function rssMiB(child: ChildProcess): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const model = join(dir, 'modelA');
process.stderr.write('training Model A (keras-deep, 1 epoch)…\n');
run([CLI, 'train', '--preset', 'keras-deep', '--epochs', '1', '--out', model, '--quiet']);
run([CLI, 'export', model, '--part', 'encoder', '--out', join(dir, 'encoder.onnx'), '--quiet']);
const digit = loadDataset('mnist:test', { limit: 1, split: 'test' });
const row = Array.from(digit.x.subarray(0, 784));
const body = JSON.stringify({ inputs: [row] });

const AEKIT_PORT = 18600 + (process.pid % 200);
const ORT_PORT = AEKIT_PORT + 1;
const aekit = spawn(process.execPath, [CLI, 'serve', `A=${model}`, '--port', String(AEKIT_PORT), '--token', TOKEN, '--quiet'], { stdio: ['ignore', 'inherit', 'inherit'] });
const ort = spawn(process.execPath, [join(ROOT, 'dist', 'bench', 'serve-ort.js'), join(dir, 'encoder.onnx'), String(ORT_PORT), '1,28,28'], { stdio: ['ignore', 'ignore', 'inherit'] });
await waitHealthy(AEKIT_PORT);
await waitHealthy(ORT_PORT);

const load = (port: number, extra: Record<string, unknown> = {}) => autocannon({
  url: `http://127.0.0.1:${port}/v1/models/A/encode`, method: 'POST', connections: 64, duration: SECONDS, timeout: 10,
  headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body, ...extra,
});
const summary = (r: CannonResult) => ({ rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, sent: r.requests.sent, ok: r['2xx'], non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts });

// warm both (JIT, pools), then alternate
await load(AEKIT_PORT, { duration: 3 });
await load(ORT_PORT, { duration: 3 });
const rows: { round: number; aekit: ReturnType<typeof summary>; ort: ReturnType<typeof summary> }[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const a = summary(await load(AEKIT_PORT));
  const o = summary(await load(ORT_PORT));
  rows.push({ round, aekit: a, ort: o });
  process.stderr.write(`round ${round}: aekit ${a.rps} req/s p50 ${a.p50} ms p99 ${a.p99} ms | onnxruntime ${o.rps} req/s p50 ${o.p50} ms p99 ${o.p99} ms\n`);
}
ort.kill('SIGTERM');
const med = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor((xs.length - 1) / 2)]!;
const aRps = med(rows.map((r) => r.aekit.rps));
const oRps = med(rows.map((r) => r.ort.rps));
const aP99 = med(rows.map((r) => r.aekit.p99));
const oP99 = med(rows.map((r) => r.ort.p99));

// 2. overload: twice the saturation rate for 60 s
const rate = 2 * aRps;
const rssStart = rssMiB(aekit);
process.stderr.write(`overload: ${rate} req/s offered for ${values['saturation-seconds']} s…\n`);
const over = await autocannon({
  url: `http://127.0.0.1:${AEKIT_PORT}/v1/models/A/encode`, method: 'POST', connections: 256, overallRate: rate, duration: Number(values['saturation-seconds']), timeout: 30,
  headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body,
});
const rssEnd = rssMiB(aekit);

// 3. fuzz
const agent = new Agent({ keepAlive: true, maxSockets: 16 });
interface Case { path: string; headers: Record<string, string>; body: Uint8Array }
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const goodAuth = { authorization: `Bearer ${TOKEN}` };
const op = fc.constantFrom('encode', 'decode', 'reconstruct', 'score', 'sample');
const path = fc.oneof({ weight: 8, arbitrary: op.map((o) => `/v1/models/A/${o}`) }, { weight: 1, arbitrary: fc.tuple(fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/), fc.stringMatching(/^[a-z]{1,10}$/)).map(([m, o]) => `/v1/models/${m}/${o}`) });
const auth = fc.oneof({ weight: 9, arbitrary: fc.constant(goodAuth) }, { weight: 1, arbitrary: fc.constantFrom({}, { authorization: 'Bearer wrong' }, { authorization: 'Basic eDp5' }, { authorization: `Bearer ${TOKEN} ` }) });
const cell = fc.oneof(fc.double(), fc.string(), fc.constant(null), fc.boolean(), fc.array(fc.double(), { maxLength: 3 }), fc.constant(1e39), fc.constant(-1e308));
const nearMiss = fc.oneof(
  // a width the model does not take, or a bad value in a row of the right width
  fc.integer({ min: 0, max: 900 }).filter((w) => w !== 784 && w !== 32).map((w) => ({ inputs: [Array.from({ length: w }, () => 0.5)] })),
  fc.tuple(fc.integer({ min: 0, max: 783 }), cell).map(([i, v]) => ({ inputs: [row.map((x, j) => (j === i ? v : x))] })).filter((b) => typeof b.inputs[0]!.find((_, j, a) => typeof a[j] !== 'number') !== 'undefined' || b.inputs[0]!.some((x) => x === 1e39 || x === -1e308 || (typeof x === 'number' && !Number.isFinite(x)))),
  fc.record({ inputs: fc.array(fc.array(cell, { maxLength: 5 }), { maxLength: 4 }), labels: fc.option(fc.array(fc.integer(), { maxLength: 3 })) }),
  fc.record({ n: fc.oneof(fc.integer(), fc.double(), fc.string()), seed: fc.oneof(fc.integer(), fc.string()) }),
  fc.dictionary(fc.string(), fc.jsonValue()),
);
const npy = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 900 }).filter((w) => w !== 784 && w !== 32)).map(([n, w]) => Buffer.concat(encodeNpy(new Float32Array(n * w), [n, w]))),
  fc.tuple(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 0, max: 200 })).map(([junk, cut]) => {
    const whole = Buffer.concat(encodeNpy(Float32Array.from(row), [1, 784]));
    const b = Buffer.from(whole.subarray(0, Math.min(cut, whole.length)));
    return Buffer.concat([b, junk]);
  }),
  fc.constant(Buffer.concat(encodeNpy(Float32Array.from(row, (x, i) => (i === 5 ? NaN : x)), [1, 784]))),
);
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/x-npy', 'application/octet-stream', 'text/plain', 'application/xml', 'multipart/form-data', 'x/y');
const caseArb: fc.Arbitrary<Case> = fc.oneof(
  fc.record({ path, auth, body: fc.jsonValue().map((v) => json(v)) }).map((c) => ({ path: c.path, headers: { ...c.auth, 'content-type': 'application/json' }, body: c.body })),
  fc.record({ path, auth, body: nearMiss.map(json) }).map((c) => ({ path: c.path, headers: { ...c.auth, 'content-type': 'application/json' }, body: c.body })),
  fc.record({ path, auth, body: npy }).map((c) => ({ path: c.path, headers: { ...c.auth, 'content-type': 'application/x-npy' }, body: new Uint8Array(c.body) })),
  fc.record({ path, auth, ct: contentType, body: fc.uint8Array({ maxLength: 2048 }) }).map((c) => ({ path: c.path, headers: { ...c.auth, 'content-type': c.ct }, body: c.body })),
  fc.record({ path, auth, ct: fc.stringMatching(/^[ -~]{0,40}$/), body: fc.string({ maxLength: 200 }) }).map((c) => ({ path: c.path, headers: { ...c.auth, ...(c.ct ? { 'content-type': c.ct } : {}) }, body: new TextEncoder().encode(c.body) })),
);

function send(c: Case): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port: AEKIT_PORT, method: 'POST', path: c.path, agent, headers: { ...c.headers, 'content-length': String(c.body.length) } }, (r) => {
      let text = '';
      r.setEncoding('utf8').on('data', (s: string) => (text += s)).on('end', () => res({ status: r.statusCode ?? 0, body: text }));
    });
    req.on('error', rej);
    req.end(c.body);
  });
}

const fuzzN = Number(values.fuzz);
const cases = fc.sample(caseArb, { numRuns: fuzzN, seed: 12 });
const statuses = new Map<number, number>();
const bad: string[] = [];
let next = 0;
const t0 = Date.now();
await Promise.all(Array.from({ length: 16 }, async () => {
  while (next < cases.length) {
    const c = cases[next++]!;
    let r: { status: number; body: string };
    try {
      r = await send(c);
    } catch (err) {
      bad.push(`${c.path}: ${(err as Error).message}`);
      continue;
    }
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    const hasMessage = r.status === 413 || /"error":"[^"]+/.test(r.body) || r.status === 415;
    if (r.status < 400 || r.status >= 500 || !hasMessage) bad.push(`${r.status} ${c.path} ${JSON.stringify(c.headers)} ${Buffer.from(c.body).toString('utf8').slice(0, 120)} → ${r.body.slice(0, 160)}`);
  }
}));
const fuzzSeconds = (Date.now() - t0) / 1000;
const alive = (await fetch(`http://127.0.0.1:${AEKIT_PORT}/healthz`)).ok;
const metrics = await (await fetch(`http://127.0.0.1:${AEKIT_PORT}/metrics`, { headers: goodAuth })).text();
agent.destroy();
aekit.kill('SIGTERM');
await new Promise((r) => aekit.on('exit', r));
rmSync(dir, { recursive: true, force: true });

const result = {
  date: new Date().toISOString(), cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version,
  throughput: { connections: 64, seconds: SECONDS, rounds: rows, median: { aekitRps: aRps, ortRps: oRps, ratio: +(aRps / oRps).toFixed(2), aekitP99: aP99, ortP99: oP99 } },
  // autocannon counts `rate` requests per connection as sent before the first one goes out, so
  // sent − offered rate − answered is what was still in flight when the load stopped.
  overload: { offeredRps: rate, seconds: Number(values['saturation-seconds']), connections: 256, ...summary(over), '5xx': over['5xx'], resets: over.resets, inFlightAtStop: over.requests.sent - rate - over['2xx'] - over.non2xx, rssStartMiB: +rssStart.toFixed(1), rssEndMiB: +rssEnd.toFixed(1) },
  fuzz: { cases: fuzzN, seconds: fuzzSeconds, statuses: Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])), violations: bad.length, examples: bad.slice(0, 5), serverAlive: alive, server5xx: /class="5xx"/.test(metrics) },
};
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
