#!/usr/bin/env node
/** Entry point of the `aekit` binary. */
import { main } from './run.js';

process.exitCode = await main(process.argv.slice(2), { out: process.stdout, err: process.stderr });
