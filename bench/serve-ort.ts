/**
 * The peer of `aekit serve` in bench/serve.ts: an exported ONNX encoder in onnxruntime-node behind
 * the same HTTP framework (Fastify 5) with the same body validation (the server's zod schema and
 * width check), one `session.run` per request (ONNX Runtime has no request batching of its own).
 * Usage: node dist/bench/serve-ort.js MODEL.onnx PORT SHAPE (the sample shape, e.g. 1,28,28)
 */
import Fastify from 'fastify';
import * as ort from 'onnxruntime-node';
import { rowsRequest, zodMessage } from '../src/serve/schemas.js';

const [file, port, shapeText] = process.argv.slice(2);
const shape = shapeText!.split(',').map(Number);
const width = shape.reduce((a, b) => a * b, 1);
const session = await ort.InferenceSession.create(file!, { intraOpNumThreads: 2, interOpNumThreads: 1 });
const app = Fastify({ bodyLimit: 16 * 1024 * 1024, logger: false });
app.post('/v1/models/:name/encode', async (req, reply) => {
  const r = rowsRequest.safeParse(req.body);
  if (!r.success) return reply.code(400).send({ error: zodMessage(r.error) });
  const n = r.data.inputs.length;
  const x = new Float32Array(n * width);
  for (let i = 0; i < n; i++) {
    const row = r.data.inputs[i]!;
    if (row.length !== width) return reply.code(400).send({ error: `inputs[${i}]: ${row.length} values, not ${width}` });
    x.set(row, i * width);
  }
  const out = await session.run({ x: new ort.Tensor('float32', x, [n, ...shape]) });
  const z = out.z!.data as Float32Array;
  const k = z.length / n;
  return { outputs: Array.from({ length: n }, (_, i) => Array.from(z.subarray(i * k, (i + 1) * k))) };
});
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: Number(port) });
process.stdout.write('ready\n');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
