#!/usr/bin/env node
// The s3db bin. Exit codes: 0 ok, 1 the operation failed, 2 usage or configuration error (docs/cli.md).
import process from 'node:process';
import { runCli } from './index.js';

// `s3db export users | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// No top-level await: the standalone binary bundles this entry as CommonJS (Node's single-executable format).
void runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then((code) => {
  if (code !== undefined) process.exitCode = code;
});
