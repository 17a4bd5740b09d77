/** The `aekit` command: dispatch to subcommands and map errors to stable exit codes. */
import { readFileSync } from 'node:fs';
import { anomalyCommand } from './commands/anomaly.js';
import { exportCommand } from './commands/export.js';
import { infoCommand } from './commands/info.js';
import { serveCommand } from './commands/serve.js';
import { MODEL_COMMANDS, modelCommand } from './commands/model-io.js';
import { studioCommand } from './commands/studio.js';
import { trainCommand } from './commands/train.js';
import { denoiseCommand } from './commands/denoise.js';
import { featuresCommand } from './commands/features.js';
import { generateCommand, sampleCommand } from './commands/generate.js';
import { reduceCommand } from './commands/reduce.js';
import { runModelCommand, type ModelCommand } from './model-command.js';
import { tuneCommand } from './commands/tune.js';
import { workerCommand } from './commands/worker.js';
import type { Io } from './common.js';
import { printable, quoted } from '../util/text.js';
import { EXIT, InputError, OutputError, UsageError } from './errors.js';

const HELP = `aekit — autoencoders in TypeScript

Usage: aekit <command> [flags]

Commands:
  train        train an autoencoder (default: dense AE on the bundled MNIST)
  eval         reconstruction metrics of a trained model
  encode       latent codes of data (to .npy or .csv)
  decode       latent codes back to data space
  reconstruct  reconstructions of data (and a picture with --png)
  reduce       latent codes, their reconstruction error beside PCA's, a 2-D picture of the codes
  features     latent codes as features: softmax and k-NN accuracy beside raw inputs and PCA
  generate     new data from a VAE's prior, or the path between two inputs' codes (alias: sample)
  denoise      clean noisy inputs; MSE and PSNR before and after
  info         layers and parameter counts of a model or preset
  anomaly      anomaly detection by reconstruction error: fit, score, eval
  export       a trained model as ONNX (encoder, decoder or both)
  serve        trained models over HTTP (and training runs)
  tune         search hyperparameters (trials in parallel, TPE, pruning)
  worker       run queued jobs from Redis: tuning trials and data shards (--queue)
  studio       the browser studio: design, train and explore models in the page

Run 'aekit <command> --help' for the flags of a command.
`;

/** The applications (commands on a trained model, src/apps), by name. */
const APP_COMMANDS: Record<string, ModelCommand> = {
  reduce: reduceCommand,
  features: featuresCommand,
  generate: generateCommand,
  sample: sampleCommand,
  denoise: denoiseCommand,
};

/** Every command, in the order of the help text and docs/cli.md. */
export const COMMAND_NAMES: readonly string[] = ['train', ...MODEL_COMMANDS, ...Object.keys(APP_COMMANDS), 'info', 'anomaly', 'export', 'serve', 'tune', 'worker', 'studio'];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [given, ...rest] = argv;
  const command = given === undefined ? undefined : printable(given, 40);
  try {
    if (command === undefined) {
      io.err.write(`aekit: no command given\n\n${HELP}`);
      return EXIT.usage;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      io.out.write(HELP);
      return EXIT.ok;
    }
    if (command === '--version' || command === '-v') {
      io.out.write(`aekit ${version()}\n`);
      return EXIT.ok;
    }
    if (command === 'train') return await trainCommand(rest, io);
    if (command === 'info') return await infoCommand(rest, io);
    if (command === 'export') return await exportCommand(rest, io);
    if (command === 'serve') return await serveCommand(rest, io);
    if (command === 'anomaly') return await anomalyCommand(rest, io);
    if (command === 'tune') return await tuneCommand(rest, io);
    if (command === 'worker') return await workerCommand(rest, io);
    if (MODEL_COMMANDS.includes(command)) return await modelCommand(command, rest, io);
    if (command === 'studio') return await studioCommand(rest, io);
    const app = Object.hasOwn(APP_COMMANDS, command) ? APP_COMMANDS[command] : undefined;
    if (app) return await runModelCommand(command, app, rest, io);
    throw new UsageError(`unknown command ${quoted(given!, 40)} (commands: ${COMMAND_NAMES.join(', ')})`);
  } catch (err) {
    const e = err as Error;
    if (err instanceof UsageError) {
      io.err.write(`aekit ${command}: ${e.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof InputError) {
      io.err.write(`aekit ${command}: ${e.message}\n`);
      return EXIT.input;
    }
    if (err instanceof OutputError) {
      io.err.write(`aekit ${command}: ${e.message}\n`);
      return EXIT.output;
    }
    const detail = process.env.AEKIT_DEBUG ? (e.stack ?? e.message) : `${e.name}: ${e.message} (this is a bug in aekit; AEKIT_DEBUG=1 prints where it happened)`;
    io.err.write(`aekit ${command}: internal error: ${detail}\n`);
    return EXIT.internal;
  }
}

