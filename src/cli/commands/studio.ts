/** aekit studio: serve the browser studio on 127.0.0.1, with the run directories given to open in it. */
import { integer, nullable } from '../../util/schema.js';
import { formatHelp, parseArgs } from '../args.js';
import type { Io } from '../common.js';
import { EXIT } from '../errors.js';
import { COMMON_FLAGS, opt } from '../flags.js';
import { startStudioServer } from '../studio-server.js';

const FLAGS = [opt('port', nullable(integer('port to listen on, on 127.0.0.1 (default: a free one)', 0, { min: 1, max: 65535 })), 'Server'), ...COMMON_FLAGS.filter((f) => f.name !== 'quiet')];

export async function studioCommand(argv: readonly string[], io: Io, signal?: AbortSignal): Promise<number> {
  const { positionals, values } = parseArgs(argv, FLAGS, 'studio');
  if (values.get('opt.help') === true) {
    io.out.write(formatHelp(
      'aekit studio [RUN_DIR…] [--port N]',
      'Serve aekit studio, the browser app that designs, trains and explores autoencoders in the page, on 127.0.0.1 with the headers that make it ' +
      'cross-origin isolated. The run or model directories given are offered in the page (Files → open) with the weights the model commands would use. ' +
      'Stop it with Ctrl-C.',
      FLAGS,
    ));
    return EXIT.ok;
  }
  const port = (values.get('opt.port') as number | null | undefined) ?? 0;
  const { server, url, runs } = await startStudioServer({ runs: positionals, port });
  if (values.get('opt.json') === true) io.out.write(JSON.stringify({ url, runs: runs.map((r) => ({ name: r.name, dir: r.dir, status: r.status })) }) + '\n');
  else {
    io.out.write(`aekit studio: ${url}\n`);
    for (const r of runs) io.out.write(`  run ${r.name} (${r.status})${r.note ? `: ${r.note}` : ''}\n`);
  }
  await new Promise<void>((done) => {
    const stop = () => server.close(() => done());
    if (signal) signal.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT.ok;
}
