// Starts test/support/queue-child.ts (a queue consumer in its own OS process, so a test can kill -9 it) with the
// given environment; resolves once it printed "ready", rejects when it exits with an error first.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'queue-child.ts');

export function startQueueConsumerProcess(env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
    child.on('exit', (code) => code !== 0 && code !== null && reject(new Error(`consumer exited ${code}: ${err}`)));
  });
}
