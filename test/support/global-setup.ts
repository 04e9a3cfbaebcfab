// Starts the real S3 server the s3 tier of the tests runs against (radosgw by default), once per test run.
// S3DB_TEST_S3_URL=http://KEY:SECRET@host:port  use that endpoint instead (tests create their own buckets)
// S3DB_TEST_BACKEND=localstack                   LocalStack via testcontainers (needs `npm i -D @testcontainers/localstack` and Docker)
// S3DB_TEST_S3=off                               no S3 tier at all (quick local runs; says so loudly)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import type { S3TestServer } from './s3-server.js';
import { freePort } from './free-port.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const scripts = path.join(here, 'radosgw');

function say(line: string): void {
  process.stderr.write(`[s3 tests] ${line}\n`);
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

async function portPreferring(preferred: number): Promise<number> {
  return preferred > 0 && (await portIsFree(preferred)) ? preferred : freePort();
}

function run(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [path.join(scripts, script)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
      // Fetch progress is worth seeing live: it only happens once per machine and takes a while.
      if (script.startsWith('fetch')) process.stderr.write(d);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
    child.on('error', (err) => resolve({ code: 1, output: String(err) }));
  });
}

function tail(file: string, lines = 20): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

/** Starts a private radosgw (fetching Ceph once per machine) on free ports; also used by the benchmarks. */
export async function startRadosgw(): Promise<{ server: S3TestServer; stop: () => Promise<void> }> {
  const runDir = path.join(mkdtempSync(path.join(os.tmpdir(), 's3db-rgw-')), 'run');
  const rgwPort = await portPreferring(17480);
  const monPort = await portPreferring(rgwPort === 17480 ? 16789 : 0);
  const env = { ...process.env, CEPH_RUN_DIR: runDir, RGW_PORT: String(rgwPort), MON_PORT: String(monPort) };
  const failHelp =
    'Fix the cause above, or run the tests against another S3 endpoint with S3DB_TEST_S3_URL=http://KEY:SECRET@host:port, ' +
    'or (quick local runs only) S3DB_TEST_S3=off.';
  const fetched = await run('fetch-ceph.sh', env);
  if (fetched.code !== 0) {
    throw new Error(`[s3 tests] could not fetch Ceph packages for radosgw:\n${fetched.output}\n${failHelp}`);
  }
  const stop = async () => {
    await run('stop-ceph.sh', env);
    rmSync(path.dirname(runDir), { recursive: true, force: true });
  };
  const stopSync = () => spawnSync('bash', [path.join(scripts, 'stop-ceph.sh')], { env, stdio: 'ignore' });
  // Never leave daemons behind when the run is interrupted.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopSync();
      process.exit(130);
    });
  }
  const started = await run('start-ceph.sh', env);
  if (started.code !== 0) {
    const logs = tail(path.join(runDir, 'log', 'client.rgw.a.log')) || tail(path.join(runDir, 'log', 'mon.a.log'));
    await stop();
    throw new Error(`[s3 tests] radosgw did not start:\n${started.output}\n${logs}\n${failHelp}`);
  }
  return {
    server: {
      backend: 'radosgw',
      endpoint: `http://127.0.0.1:${rgwPort}`,
      region: 'us-east-1',
      accessKeyId: 'test',
      secretAccessKey: 'testtesttest',
    },
    stop,
  };
}

/** Parses an S3DB_TEST_S3_URL-style endpoint (http://KEY:SECRET@host:port); also used by the benchmarks. */
export function external(url: string): S3TestServer {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`[s3 tests] S3DB_TEST_S3_URL is not a URL; write it like http://KEY:SECRET@127.0.0.1:9000`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new Error(`[s3 tests] S3DB_TEST_S3_URL must be http(s)://[KEY:SECRET@]host:port (got ${u.protocol})`);
  }
  const server: S3TestServer = {
    backend: 'external',
    endpoint: `${u.protocol}//${u.host}`,
    region: u.searchParams.get('region') ?? 'us-east-1',
  };
  if (u.username) {
    server.accessKeyId = decodeURIComponent(u.username);
    server.secretAccessKey = decodeURIComponent(u.password);
  }
  return server;
}

async function startLocalstack(): Promise<{ server: S3TestServer; stop: () => Promise<void> }> {
  const moduleName = '@testcontainers/localstack';
  let mod: { LocalStackContainer: new (image: string) => { start(): Promise<LocalStackStarted> } };
  try {
    mod = (await import(moduleName)) as typeof mod;
  } catch (err) {
    throw new Error(
      '[s3 tests] S3DB_TEST_BACKEND=localstack needs `npm install --no-save @testcontainers/localstack@11` and a Docker-compatible runtime.',
      { cause: err },
    );
  }
  let container: LocalStackStarted;
  try {
    container = await new mod.LocalStackContainer('localstack/localstack:3').start();
  } catch (err) {
    throw new Error(`[s3 tests] LocalStack could not start (is a container runtime running?): ${String(err)}`, {
      cause: err,
    });
  }
  return {
    server: {
      backend: 'localstack',
      endpoint: container.getConnectionUri(),
      region: 'us-east-1',
      accessKeyId: 'test',
      secretAccessKey: 'test',
    },
    stop: async () => {
      await container.stop();
    },
  };
}

interface LocalStackStarted {
  getConnectionUri(): string;
  stop(): Promise<unknown>;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.S3DB_TEST_S3 === 'off') {
    say('!!! S3DB_TEST_S3=off: the S3 tier is DISABLED; only memory and file stores are tested. !!!');
    project.provide('s3Server', null);
    return async () => {};
  }
  const url = process.env.S3DB_TEST_S3_URL;
  if (url) {
    const server = external(url);
    say(`backend: external S3 at ${server.endpoint} (S3DB_TEST_S3_URL)`);
    project.provide('s3Server', server);
    return async () => {};
  }
  const t0 = Date.now();
  const started = process.env.S3DB_TEST_BACKEND === 'localstack' ? await startLocalstack() : await startRadosgw();
  say(
    `backend: ${started.server.backend} at ${started.server.endpoint}, started in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  project.provide('s3Server', started.server);
  return async () => {
    const t1 = Date.now();
    await started.stop();
    say(`${started.server.backend} stopped in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  };
}
