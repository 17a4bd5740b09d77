/** Writes docs/cli.md from the commands' own --help text and docs/config.schema.json from the config schema (run by `npm run docs`; a test checks it is current). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../src/cli/run.js';
import { registerBuiltinModels } from '../src/models/index.js';
import { runConfigJsonSchema } from '../src/train/config.js';

export async function cliDocs(): Promise<string> {
  const parts = ['# aekit command line\n\nGenerated from the commands\' `--help` by `npm run docs`; do not edit by hand.\n'];
  for (const cmd of ['train', 'eval', 'encode', 'decode', 'reconstruct', 'sample', 'info', 'export', 'serve']) {
    let text = '';
    const out = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } }) as unknown as NodeJS.WriteStream;
    await main([cmd, '--help'], { out, err: out });
    parts.push(`## aekit ${cmd}\n\n\`\`\`\n${text.trimEnd()}\n\`\`\`\n`);
  }
  return parts.join('\n');
}

/** docs/config.schema.json: the JSON Schema of run configurations, for editors (`"$schema"` in a config file). */
export function configSchemaDoc(): string {
  registerBuiltinModels();
  return JSON.stringify(runConfigJsonSchema(), null, 2) + '\n';
}

if (process.argv[1]?.endsWith('gen-cli-docs.js')) {
  const root = join(new URL('.', import.meta.url).pathname, '..', '..');
  writeFileSync(join(root, 'docs', 'cli.md'), await cliDocs());
  writeFileSync(join(root, 'docs', 'config.schema.json'), configSchemaDoc());
}
