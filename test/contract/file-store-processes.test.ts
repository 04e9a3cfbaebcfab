// Pins that the file store stays consistent when two PROCESSES write the same keys: atomic objects, one winner.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../engine/index.js';

const writer = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'support', 'file-writer.ts');

function child(args: string[]): { done: Promise<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', writer, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return {
    done: new Promise((resolve, reject) =>
      proc.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`writer exited ${code}: ${err}`)))),
    ),
  };
}

describe('FileStore across processes', () => {
  let root: string;
  let go: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 's3db-procs-'));
    go = path.join(root, '..', `${path.basename(root)}.go`);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(go, { force: true });
  });

  it('two processes overwriting one key never leave a torn or mixed object', async () => {
    const a = child([root, 'overwrite', 'a', go, '150']);
    const b = child([root, 'overwrite', 'b', go, '150']);
    await writeFile(go, '');
    const store = new FileStore(root);
    let finished = false;
    const both = Promise.all([a.done, b.done]).finally(() => (finished = true));
    let reads = 0;
    while (!finished) {
      const obj = await store.get('shared');
      if (obj) {
        reads++;
        const w = obj.metadata.writer!;
        expect(obj.body.length).toBe(65536);
        expect(obj.body.equals(Buffer.from(w.repeat(65536)))).toBe(true);
      }
    }
    await both;
    const last = await store.get('shared');
    expect(['a', 'b']).toContain(last?.metadata.writer);
    expect(reads).toBeGreaterThan(0);
    expect((await store.list()).objects.map((o) => o.key)).toEqual(['shared']);
  }, 60_000);

  it('ifNoneMatch across processes: exactly one process creates each key', async () => {
    const a = child([root, 'create', 'a', go, '60']);
    const b = child([root, 'create', 'b', go, '60']);
    await writeFile(go, '');
    const [wonA, wonB] = (await Promise.all([a.done, b.done])).map((s) => JSON.parse(s) as string[]);
    expect(wonA!.length + wonB!.length).toBe(60);
    expect(new Set([...wonA!, ...wonB!]).size).toBe(60);
    const store = new FileStore(root);
    for (const key of wonA!) expect((await store.get(key))?.body.toString()).toBe('a');
    for (const key of wonB!) expect((await store.get(key))?.body.toString()).toBe('b');
  }, 60_000);

  it('ifMatch across processes: concurrent increments lose no update', async () => {
    const a = child([root, 'increment', 'a', go, '40']);
    const b = child([root, 'increment', 'b', go, '40']);
    await writeFile(go, '');
    await Promise.all([a.done, b.done]);
    expect((await new FileStore(root).get('counter'))?.body.toString()).toBe('80');
  }, 60_000);
});
