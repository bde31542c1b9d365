#!/usr/bin/env node
import { CommanderError } from 'commander';

import '../backend/gradients.js';
import { D2ueError } from '../errors.js';
import { buildProgram } from './program.js';

/** Runs the CLI; a D2ueError prints its message alone (it is complete), anything else its stack. */
async function main(argv: readonly string[]): Promise<number> {
  try {
    const program = await buildProgram();
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof D2ueError) {
      process.stderr.write(`d2ue: ${error.message}\n`);
      return error.code === 'config' ? 2 : 1;
    }
    process.stderr.write(`d2ue: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
