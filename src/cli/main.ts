#!/usr/bin/env node
/** Entry point of the `aekit` binary. */
import { main } from './run.js';

// A reader that closes the pipe early (`aekit info … | head`) has all it wanted: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2), { out: process.stdout, err: process.stderr });
