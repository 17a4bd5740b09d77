/**
 * The HTTP API's request and response bodies as zod schemas: the server validates with them and
 * the OpenAPI document (GET /openapi.json) is generated from them (`z.toJSONSchema`), so the
 * published API cannot drift from what the server accepts.
 */
import { runConfigZod } from '../train/config.js';
import { z } from '../util/schema.js';
import { OPERATIONS } from './models.js';

/** At most this many rows in one request (the body limit bounds it too). */
export const MAX_ROWS = 65_536;
export const MAX_SAMPLES = 10_000;

const label = z.int().min(0).max(2 ** 31 - 1);

export const rowsRequest = z.strictObject({
  inputs: z.array(z.array(z.number()).min(1)).min(1).max(MAX_ROWS).describe('rows of input values (encode, reconstruct, score: the model\'s input width; decode: its latent width), finite numbers'),
  labels: z.array(label).optional().describe('one class per row, for a class-conditional model (cvae)'),
});

export const sampleRequest = z.strictObject({
  n: z.int().min(1).max(MAX_SAMPLES).default(16).describe('how many samples'),
  seed: z.int().min(0).max(2 ** 32 - 1).default(1).describe('seed of the draws from the prior'),
  labels: z.array(label).optional().describe('one class per sample, for a class-conditional model'),
});

export const outputsResponse = z.object({ outputs: z.array(z.array(z.number())).describe('one row per input row (or sample)') });
export const scoreResponse = z.object({
  scores: z.array(z.number()).describe('per row: the mean over features of the (weighted) squared reconstruction error, in the model\'s normalised units'),
  flags: z.array(z.boolean()).nullable().describe('per row: score above the threshold; null when the model directory has no anomaly.json'),
  threshold: z.number().nullable(),
});
export const errorResponse = z.object({ error: z.string(), statusCode: z.int() });
export const modelInfo = z.object({
  name: z.string(),
  kind: z.string(),
  latentKind: z.enum(['deterministic', 'gaussian']),
  inputShape: z.array(z.int()),
  inputDim: z.int(),
  latentDim: z.int(),
  conditioning: z.object({ kind: z.literal('class'), numClasses: z.int() }).nullable(),
  operations: z.array(z.enum(OPERATIONS)),
  threshold: z.number().nullable(),
  note: z.string().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});
export const modelList = z.object({ models: z.array(modelInfo) });

/** Built on call: the config's model union holds the variants registered by then. */
export function runRequest() {
  return z.strictObject({
    config: runConfigZod().describe('a run configuration, as `aekit train --config` reads (docs/config.schema.json)'),
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/).optional().describe('the run\'s id and the name it is served under when it finishes'),
  });
}
export const runInfo = z.object({
  id: z.string(),
  dir: z.string(),
  state: z.enum(['running', 'stopping', 'exited']),
  exitCode: z.int().nullable(),
  status: z.string().nullable().describe('run.json\'s status: running, finished, interrupted, diverged, failed'),
  epochsDone: z.int().nullable(),
  served: z.boolean().describe('whether the finished run is served as a model under its id'),
});

/** "inputs[0][3]: expected number" from a zod error: the first issue, with its path. */
export function zodMessage(err: z.ZodError): string {
  const issue = err.issues[0];
  if (!issue) return 'invalid body';
  const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
  const more = err.issues.length > 1 ? ` (and ${err.issues.length - 1} more problem${err.issues.length > 2 ? 's' : ''})` : '';
  return `${path || 'body'}: ${issue.message}${more}`;
}

function schema(s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** The OpenAPI 3.1 document of the server's routes. */
export function openApiDocument(version: string, withRuns: boolean): Record<string, unknown> {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const json = (name: string) => ({ 'application/json': { schema: ref(name) } });
  const npy = { 'application/x-npy': { schema: { type: 'string', format: 'binary', description: 'a float32 or float64 NPY array (n, width) or (n, …input shape)' } } };
  const errors = Object.fromEntries(['400', '401', '404', '413', '415'].map((c) => [c, { description: 'bad request', content: json('Error') }]));
  const name = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
  const ops: Record<string, unknown> = {};
  for (const op of OPERATIONS) {
    const body = op === 'sample' ? { required: false, content: json('SampleRequest') } : { required: true, content: { ...json('RowsRequest'), ...npy } };
    const ok = op === 'score' ? json('ScoreResponse') : { ...json('OutputsResponse'), ...(op === 'sample' ? {} : npy) };
    ops[`/v1/models/{name}/${op}`] = { post: { summary: `${op} with the model`, parameters: [name, { name: 'label', in: 'query', required: false, schema: { type: 'integer' }, description: 'the class of every row of an NPY body (class-conditional models)' }], requestBody: body, responses: { 200: { description: op, content: ok }, ...errors } } };
  }
  const runs = withRuns ? {
    '/v1/runs': {
      get: { summary: 'training runs started by this server', responses: { 200: { description: 'runs', content: { 'application/json': { schema: { type: 'object', properties: { runs: { type: 'array', items: ref('RunInfo') } } } } } } } },
      post: { summary: 'start training in a child process (aekit train)', requestBody: { required: true, content: json('RunRequest') }, responses: { 201: { description: 'started', content: json('RunInfo') }, ...errors } },
    },
    '/v1/runs/{id}': {
      get: { summary: 'a run\'s state', parameters: [{ ...name, name: 'id' }], responses: { 200: { description: 'run', content: json('RunInfo') }, ...errors } },
      delete: { summary: 'stop a run at its last epoch-end checkpoint (SIGTERM to aekit train)', parameters: [{ ...name, name: 'id' }], responses: { 200: { description: 'stopped', content: json('RunInfo') }, ...errors } },
    },
    '/v1/runs/{id}/events': { get: { summary: 'the run\'s training events (events.jsonl) as Server-Sent Events; event names are the events\' types, then `end`', parameters: [{ ...name, name: 'id' }], responses: { 200: { description: 'event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors } } },
  } : {};
  return {
    openapi: '3.1.0',
    info: { title: 'aekit serve', version, description: 'Trained autoencoders over HTTP: encode, decode, reconstruct, score and sample; training runs.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        RowsRequest: schema(rowsRequest, 'input'),
        SampleRequest: schema(sampleRequest, 'input'),
        OutputsResponse: schema(outputsResponse, 'output'),
        ScoreResponse: schema(scoreResponse, 'output'),
        ModelInfo: schema(modelInfo, 'output'),
        ModelList: schema(modelList, 'output'),
        Error: schema(errorResponse, 'output'),
        ...(withRuns ? { RunRequest: schema(runRequest(), 'input'), RunInfo: schema(runInfo, 'output') } : {}),
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/healthz': { get: { summary: 'liveness (no token needed)', security: [], responses: { 200: { description: 'ok' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: { description: 'text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
      '/openapi.json': { get: { summary: 'this document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
      '/v1/models': { get: { summary: 'the served models', responses: { 200: { description: 'models', content: json('ModelList') } } } },
      '/v1/models/{name}': { get: { summary: 'one model: config, input shape, operations', parameters: [name], responses: { 200: { description: 'model', content: json('ModelInfo') }, ...errors } } },
      ...ops,
      ...runs,
    },
  };
}
