#!/usr/bin/env node
import { main } from '../dist/cli.js';

// A reader that stops early (convas train | head) ends the command quietly, as it ends any Unix
// tool: with SIGPIPE's exit code, 128 + 13, rather than a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(141);
  });
}

process.exitCode = await main(process.argv.slice(2));
