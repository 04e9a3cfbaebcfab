#!/usr/bin/env node
// The s3db-mcp-server command (server/run.ts does the work, so `s3db mcp` and standalone binaries share it).
// Exit codes: 0 done, 1 failed at runtime (store unreachable, …), 2 bad configuration.
import process from 'node:process';
import { runServer } from './run.js';

// No top-level await: the standalone binaries bundle this entry as CommonJS (Node's single-executable format).
void runServer(process.argv.slice(2)).then((code) => {
  if (code !== undefined) process.exitCode = code;
});
