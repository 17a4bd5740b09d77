/** aekit serve: trained models over HTTP (src/serve/), until SIGINT or SIGTERM, which drain in-flight requests first. */
import { readFileSync } from 'node:fs';
import { loadServedModel, parseModelArg, type ServedModel } from '../../serve/models.js';
import { createServer } from '../../serve/server.js';
import { appBuilt, defaultAppDir } from '../../serve/studio-files.js';
import { integer, string } from '../../util/schema.js';
import { formatHelp, parseArgs } from '../args.js';
import { printJson, useBackend, type Io } from '../common.js';
import { classify, EXIT, InputError, UsageError } from '../errors.js';
import { BACKEND_FLAGS, COMMON_FLAGS, nullable, opt } from '../flags.js';

const FLAGS = [
  opt('host', string('address to listen on (127.0.0.1: this machine only)', '127.0.0.1'), 'Server'),
  opt('port', integer('port (0: any free port, printed at start)', 8080, { min: 0, max: 65535 }), 'Server'),
  opt('token', nullable(string('require this bearer token on every route but /healthz (default: $AEKIT_TOKEN when set)', '')), 'Server'),
  opt('batch-window-us', integer('micro-batching window in microseconds: concurrent requests to one model and operation within it run as one batch', 200, { min: 0, max: 1_000_000 }), 'Server'),
  opt('max-batch', integer('rows at which a batch runs without waiting for the window', 512, { min: 1, max: 65_536 }), 'Server'),
  opt('body-limit', integer('largest request body in bytes', 16 * 1024 * 1024, { min: 1024, max: 1024 ** 3 }), 'Server'),
  opt('request-timeout-ms', integer('longest time to receive a request, ms (0: none)', 30_000, { min: 0 }), 'Server'),
  opt('runs-dir', nullable(string('enable training over HTTP (POST /v1/runs), with runs written under this folder', '')), 'Server'),
];

const USAGE = 'aekit serve RUN_DIR… [NAME=DIR…] [--host 127.0.0.1] [--port 8080] [--token T] [--runs-dir runs]';
const DESCRIPTION =
  'Serve trained models over HTTP: GET /v1/models, GET /v1/models/NAME, POST /v1/models/NAME/{encode|decode|reconstruct|score|sample} with JSON {"inputs": [[…]]} ' +
  '(sample: {"n": 16, "seed": 1}) or an NPY body (Content-Type: application/x-npy), GET /healthz, GET /metrics (Prometheus), GET /openapi.json; with --runs-dir, ' +
  'training runs: POST /v1/runs {"config": …}, GET /v1/runs/ID/events (Server-Sent Events), DELETE /v1/runs/ID (stops at a checkpoint). A model is named by its ' +
  "directory's base name unless given as NAME=DIR; score uses the threshold in the directory's anomaly.json when there is one. SIGINT or SIGTERM finishes in-flight requests, " +
  'refuses new ones and stops training runs at their last checkpoint. The browser studio is served at /studio/ (cross-origin isolated): it lists and explores the served models ' +
  'through these routes and, with --runs-dir, trains on the server with live curves.';

function version(): string {
  return (JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export async function serveCommand(argv: readonly string[], io: Io): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out.write(formatHelp(USAGE, DESCRIPTION, [...FLAGS, ...BACKEND_FLAGS, ...COMMON_FLAGS]));
    return EXIT.ok;
  }
  const { positionals, values } = parseArgs(argv, [...FLAGS, ...BACKEND_FLAGS, ...COMMON_FLAGS], 'serve');
  const o = (k: string) => values.get(`opt.${k}`);
  const runsDir = (o('runs-dir') as string | null | undefined) ?? null;
  if (positionals.length === 0 && runsDir === null) throw new UsageError('aekit serve needs at least one model directory (or --runs-dir to train over HTTP)');
  const quiet = o('quiet') === true;
  const json = o('json') === true;
  await useBackend((o('backend') as string | undefined) ?? 'auto', (o('threads') as number | undefined) ?? 0, io, quiet || json);
  const models: ServedModel[] = [];
  for (const arg of positionals) {
    const { name, dir } = classify(UsageError, () => parseModelArg(arg));
    if (models.some((m) => m.name === name)) throw new UsageError(`two models are named '${name}': give one as NAME=DIR`);
    const m = classify(InputError, () => loadServedModel(name, dir));
    if (m.note && !quiet) io.err.write(`aekit serve: note: ${name}: ${m.note}\n`);
    if (m.scoreProblem && !quiet) io.err.write(`aekit serve: note: ${name}: score is unavailable: ${m.scoreProblem}\n`);
    models.push(m);
  }
  const token = (o('token') as string | null | undefined) ?? process.env.AEKIT_TOKEN ?? null;
  const studioDir = appBuilt(defaultAppDir()) ? defaultAppDir() : null;
  const server = await createServer({
    models,
    token: token === '' ? null : token,
    batchWindowUs: (o('batch-window-us') as number | undefined) ?? 200,
    maxBatchRows: (o('max-batch') as number | undefined) ?? 512,
    bodyLimit: (o('body-limit') as number | undefined) ?? 16 * 1024 * 1024,
    requestTimeoutMs: (o('request-timeout-ms') as number | undefined) ?? 30_000,
    runsDir,
    studioDir,
    version: version(),
    log: (line) => io.err.write(`aekit serve: ${line}\n`),
  });
  let address: string;
  try {
    address = await server.app.listen({ host: (o('host') as string | undefined) ?? '127.0.0.1', port: (o('port') as number | undefined) ?? 8080 });
  } catch (err) {
    throw new UsageError(`cannot listen: ${(err as Error).message}`);
  }
  const studio = studioDir === null ? null : `${address}/studio/`;
  if (json) printJson(io, { address, models: models.map((m) => m.name), training: runsDir !== null, studio });
  else if (!quiet) io.out.write(`aekit serve: listening on ${address} (${models.map((m) => m.name).join(', ') || 'no models'}${runsDir ? `; training runs in ${runsDir}` : ''}${studio ? `; studio at ${studio}` : ''})\n`);
  const signal = await new Promise<NodeJS.Signals>((res) => {
    process.once('SIGINT', () => res('SIGINT'));
    process.once('SIGTERM', () => res('SIGTERM'));
  });
  if (!quiet) io.err.write(`aekit serve: ${signal}: finishing in-flight requests\n`);
  await server.close();
  return EXIT.ok;
}
