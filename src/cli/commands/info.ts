/** aekit info: layers, parameter counts and configuration of a model directory or a preset. */
import { Rng } from '../../core/index.js';
import { createModel, fitModelToData, registerBuiltinModels, type Autoencoder } from '../../models/index.js';
import { runConfigJsonSchema } from '../../train/config.js';
import { formatHelp } from '../args.js';
import { loadModel, printJson, useBackend, type Io } from '../common.js';
import { loadDataset } from '../../train/data-setup.js';
import { readRunRecord, type RunRecord } from '../../train/run-dir.js';
import { classify, EXIT, InputError, UsageError } from '../errors.js';
import { resolveConfig } from './train.js';

export async function infoCommand(argv: readonly string[], io: Io): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out.write(formatHelp(
      'aekit info MODEL_DIR | aekit info [train flags, e.g. --preset hinton2006] | aekit info --config-schema',
      'Show the layers, parameter counts and configuration of a trained model, or of the model that `aekit train` would build with the same flags. ' +
      'With --config-schema, print the JSON Schema of run configurations (what `aekit train --config` reads; also in docs/config.schema.json).',
      [],
    ));
    return EXIT.ok;
  }
  if (argv.includes('--config-schema')) {
    registerBuiltinModels();
    printJson(io, runConfigJsonSchema());
    return EXIT.ok;
  }
  const json = argv.includes('--json');
  const rest = argv.filter((a) => a !== '--json');
  await useBackend('reference', 0, io, true);
  let model: Autoencoder;
  let source: string;
  let config: unknown;
  let run: RunRecord | null = null;
  if (rest[0] && !rest[0].startsWith('--')) {
    const m = loadModel(rest[0], 'info', io);
    [model, source, config] = [m.model, m.dir, m.config];
    run = classify(InputError, () => readRunRecord(m.dir));
  } else {
    const { config: c } = resolveConfig(rest);
    // The sample shape comes from the data, as in training (one sample is read to learn it).
    const shape = classify(InputError, () => loadDataset(c.data.dataset, { labelColumn: c.data.labelColumn, header: c.data.header, channels: c.data.channels, imageSize: c.data.imageSize, limit: 1 }).sampleShape);
    model = createModel(classify(UsageError, () => fitModelToData(c.model, shape)), new Rng(c.train.seed));
    [source, config] = ['(configuration from flags)', c];
  }
  const rows = model.summary();
  if (json) {
    printJson(io, { source, kind: model.kind, latentKind: model.latentKind, conditioning: model.conditioning, parameters: model.numParameters(), layers: rows, config, run });
    return EXIT.ok;
  }
  const given = model.conditioning ? `, given one of ${model.conditioning.numClasses} classes` : '';
  io.out.write(`${source}\nmodel: ${model.kind} (${model.latentKind} latent, ${model.config.inputDim} → ${model.config.latentDim}${given})\n`);
  if (run) io.out.write(`run: ${run.status}, ${run.epochsDone} of ${run.epochs} epochs checkpointed${run.message ? ` (${run.message})` : ''}\n`);
  io.out.write('\n');
  const w = Math.max(...rows.map((r) => r.name.length), 5);
  const t = Math.max(...rows.map((r) => r.layer.length), 34);
  io.out.write(`${'layer'.padEnd(w)}  ${'type'.padEnd(t)} ${'weights'.padEnd(22)} params\n`);
  for (const r of rows) io.out.write(`${r.name.padEnd(w)}  ${r.layer.padEnd(t)} ${r.shape.padEnd(22)} ${r.params.toLocaleString('en-US')}\n`);
  io.out.write(`\ntotal parameters: ${model.numParameters().toLocaleString('en-US')}\n`);
  return EXIT.ok;
}
