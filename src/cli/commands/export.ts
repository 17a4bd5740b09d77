/** aekit export: a trained model as an ONNX inference graph (encoder, decoder or both) for ONNX Runtime and other runtimes. */
import { exportOnnx, ONNX_OPSET, ONNX_PARTS, onnxSignature, type OnnxPart } from '../../io/onnx/export.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { oneOf } from '../../util/schema.js';
import { formatHelp, parseArgs } from '../args.js';
import { loadModel, printJson, useBackend, type Io } from '../common.js';
import { EXIT, UsageError } from '../errors.js';
import { COMMON_FLAGS, nullable, opt, string } from '../flags.js';
import { quoted } from '../../util/text.js';

const FLAGS = [
  opt('format', oneOf('export format', ['onnx'] as const, 'onnx'), 'Export'),
  opt('part', oneOf('which graph: encoder (x → z; μ and log σ² for a VAE), decoder (z → x̂) or full (x → x̂)', ONNX_PARTS, 'full'), 'Export'),
  opt('out', nullable(string('output file, e.g. model.onnx', '')), 'Output'),
];

const USAGE = 'aekit export MODEL_DIR --format onnx [--part encoder|decoder|full] --out model.onnx';
const DESCRIPTION =
  `Write a trained model's inference graph as ONNX (opset ${ONNX_OPSET}) with a dynamic batch axis, in evaluation mode (batch norm with its running statistics; dropout and noise off) and with the model's normalisation inside, so it takes and gives data in the units \`aekit encode\` and \`decode\` use. ` +
  "Inputs and outputs are named: x (batch, …sample shape) and label (batch, int64; class-conditional models); z, or mu and log_var for a VAE's encoder; x_hat (batch, features).";

export async function exportCommand(argv: readonly string[], io: Io): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out.write(formatHelp(USAGE, DESCRIPTION, [...FLAGS, ...COMMON_FLAGS]));
    return EXIT.ok;
  }
  const { positionals, values } = parseArgs(argv, [...FLAGS, ...COMMON_FLAGS], 'export');
  if (positionals.length > 1) throw new UsageError(`aekit export takes one model directory, got ${positionals.map((p) => quoted(p, 40)).join(' ')}`);
  const out = values.get('opt.out') as string | null | undefined;
  if (!out) throw new UsageError('--out FILE.onnx is required');
  const part = (values.get('opt.part') as OnnxPart | undefined) ?? 'full';
  const quiet = values.get('opt.quiet') === true;
  await useBackend('reference', 0, io, true); // weights are only read, never computed with
  const m = loadModel(positionals[0], 'export', io, quiet);
  const bytes = exportOnnx({ model: m.model, sampleShape: m.config.data.sampleShape, normalizer: m.normalizer, part });
  writeFileAtomic(out, bytes);
  const sig = onnxSignature(m.model, part);
  if (values.get('opt.json') === true) printJson(io, { out, format: 'onnx', opset: ONNX_OPSET, part, bytes: bytes.length, ...sig });
  else if (!quiet) io.out.write(`wrote ${out} (ONNX opset ${ONNX_OPSET}, ${part}: ${sig.inputs.join(', ')} → ${sig.outputs.join(', ')}, ${bytes.length.toLocaleString('en-US')} bytes)\n`);
  return EXIT.ok;
}
