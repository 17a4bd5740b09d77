/**
 * aekit studio served by `aekit serve` (at /studio/), in real Chromium: the page is cross-origin
 * isolated, finds the server, asks for its bearer token, lists the served models; it trains a run
 * on the server (POST /v1/runs from its form) with curves drawn from the run's Server-Sent Events,
 * opens the finished run (served at once) in Explore through the serve routes with the CLI's
 * reconstructions to 1e-5, and stops a second run with DELETE at a valid checkpoint.
 * Screenshots go to dist/test-artifacts/studio/.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseNpy } from '../src/data/npy.js';
import { openUrl } from './chromium.js';
import { aekit, CLI, repoRoot, tempDir } from './helpers.js';

const SHOTS = join(repoRoot(), 'dist', 'test-artifacts', 'studio');
const TOKEN = 'studio-token';
const studio = 'globalThis.studio';

/** The first JSON value a stream prints (aekit's --json output spans lines). */
async function firstJson(input: NodeJS.ReadableStream): Promise<unknown> {
  let text = '';
  for await (const line of createInterface({ input })) {
    text += line + '\n';
    try {
      return JSON.parse(text);
    } catch {
      // not complete yet
    }
  }
  throw new Error(`aekit serve printed no JSON: ${text}`);
}

function cli(args: string[]): string {
  const r = aekit(args, { timeoutMs: 120_000 });
  assert.equal(r.status, 0, `aekit ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('the studio served by aekit serve trains on the server and explores its models', { timeout: 240_000 }, async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const dir = tempDir('aekit-studio-serve-');
  const tiny = join(dir, 'tiny');
  cli(['train', '--limit', '200', '--epochs', '1', '--hidden', '8', '--latent-dim', '2', '--backend', 'reference', '--out', tiny, '--quiet']);
  const runsDir = join(dir, 'runs');
  const child = spawn(process.execPath, [CLI(), 'serve', tiny, '--port', '0', '--token', TOKEN, '--runs-dir', runsDir, '--backend', 'reference', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const { address, studio: studioUrl } = await firstJson(child.stdout!) as { address: string; studio: string };
  const auth = { authorization: `Bearer ${TOKEN}` };
  const session = await openUrl(studioUrl);
  const { page } = session;
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  try {
    // The app and its files need no token and are cross-origin isolated; /v1 needs the token.
    const html = await fetch(studioUrl);
    assert.equal(html.status, 200);
    assert.equal(html.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.equal((await fetch(`${address}/v1/models`)).status, 401);
    assert.equal((await fetch(`${address}/studio/..%2f..%2fpackage.json`)).status, 404);
    assert.equal(await page.evaluate('crossOriginIsolated'), true);

    // The page finds the server, asks for the token, then lists the served model.
    await page.click('#tab-files');
    await page.waitForFunction(`${studio}.server === 'token'`);
    assert.match(await page.textContent('#server-note') ?? '', /needs its bearer token/);
    await page.fill('#server-token', TOKEN);
    await page.click('#btn-server-connect');
    await page.waitForSelector('#open-served-tiny');
    assert.equal(await page.getAttribute('#btn-train-server', 'hidden'), null, 'the server trains (--runs-dir)');

    // Train on the server: 1 epoch of 2,000 digits on the reference backend; curves from the event stream.
    await page.click('#tab-design');
    await page.fill('#f-model-hidden', '32');
    await page.press('#f-model-hidden', 'Tab');
    await page.selectOption('#f-train-backend', 'reference');
    await page.fill('#f-train-epochs', '1');
    await page.press('#f-train-epochs', 'Tab');
    await page.click('#tab-train');
    await page.fill('#mnist-limit', '2000');
    await page.click('#btn-train-server');
    await page.waitForFunction(`${studio}.serverRun !== null || ${studio}.phase === 'error'`, null, { timeout: 30_000 });
    await page.waitForFunction(`${studio}.curvePoints.steps > 0 || ${studio}.phase === 'error'`, null, { timeout: 60_000 });
    await page.waitForFunction(`${studio}.phase === 'done' || ${studio}.phase === 'error'`, null, { timeout: 120_000 });
    const h = await page.evaluate(`({ points: ${studio}.curvePoints, epochLosses: ${studio}.epochLosses, lastError: ${studio}.lastError })`) as { points: { steps: number; epochs: number }; epochLosses: number[]; lastError: string };
    assert.equal(h.lastError, '');
    assert.equal(h.points.steps, 18, '1 epoch of 18 steps (1,800 training digits, batch 100) from the event stream');
    assert.equal(h.points.epochs, 1);
    const last = await page.evaluate(`${studio}.lastServerRun`) as { id: string; status: string; served: boolean };
    assert.equal(last.status, 'finished');
    assert.equal(last.served, true, 'the finished run is served at once');
    const id = last.id;
    await shot('serve-train');

    // The finished run is opened in Explore through the serve routes.
    assert.equal(await page.textContent('#status'), `opened ${id} on the server`);
    await page.click('#tab-explore');
    await page.waitForFunction(`document.getElementById('scatter').dataset.points === '2000' || document.getElementById('model-error').textContent !== ''`, null, { timeout: 60_000 });
    assert.equal(await page.textContent('#model-error'), '');
    const rec = (await page.evaluate(`${studio}.reconstructions(16)`) as number[][]).flat();
    cli(['reconstruct', join(runsDir, id), '--data', 'mnist:test', '--limit', '16', '--backend', 'reference', '--out', join(dir, 'recon.npy')]);
    const want = parseNpy(new Uint8Array(readFileSync(join(dir, 'recon.npy'))), 'recon').data as Float32Array;
    assert.equal(rec.length, want.length);
    let diff = 0;
    for (let i = 0; i < rec.length; i++) diff = Math.max(diff, Math.abs(rec[i]! - want[i]!));
    assert.ok(diff <= 1e-5, `the served run's reconstructions differ from the CLI's by ${diff}`);
    await shot('serve-explore');
    t.diagnostic(`served run ${id}: reconstructions within ${diff.toExponential(1)} of aekit reconstruct`);

    // Every served model is listed and opens.
    await page.click('#tab-files');
    await page.click('#open-served-tiny');
    await page.waitForFunction(`document.getElementById('status').textContent === 'opened tiny on the server'`);

    // Stop a longer run with DELETE: it ends at its last epoch-end checkpoint, resumable.
    await page.click('#tab-design');
    await page.fill('#f-train-epochs', '200');
    await page.press('#f-train-epochs', 'Tab');
    await page.click('#tab-train');
    await page.click('#btn-train-server');
    await page.waitForFunction(`${studio}.curvePoints.epochs >= 1 || ${studio}.phase === 'error'`, null, { timeout: 60_000 });
    await page.click('#btn-stop');
    await page.waitForFunction(`${studio}.phase === 'done' || ${studio}.phase === 'error'`, null, { timeout: 60_000 });
    const stopped = await page.evaluate(`${studio}.lastServerRun`) as { id: string; status: string; served: boolean };
    assert.equal(stopped.status, 'interrupted', `status after stop: ${await page.textContent('#status')}`);
    const id2 = stopped.id;
    assert.notEqual(id2, id);
    const rec2 = JSON.parse(readFileSync(join(runsDir, id2, 'run.json'), 'utf8')) as { status: string; epochsDone: number };
    assert.equal(rec2.status, 'interrupted');
    assert.ok(rec2.epochsDone >= 1 && rec2.epochsDone < 200);
    assert.ok(existsSync(join(runsDir, id2, 'checkpoints')), 'a checkpoint to resume from');
    const runs = (await (await fetch(`${address}/v1/runs`, { headers: auth })).json()) as { runs: { id: string; state: string }[] };
    assert.deepEqual(runs.runs.map((r) => r.state), ['exited', 'exited']);
  } finally {
    await session.close();
    child.kill('SIGTERM');
    await once(child, 'exit');
    if (stderr) t.diagnostic(`aekit serve stderr: ${stderr.slice(-500)}`);
  }
});
