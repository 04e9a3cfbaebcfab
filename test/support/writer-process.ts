// Spawns test/support/writer-child.ts as a separate OS process (node --import tsx) writing to one bucket.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface WriterResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs test/support/writer-child.ts in its own node process. */
export function runWriter(
  connection: string,
  args: string[],
  onLine?: (line: string) => void,
): Promise<WriterResult> & {
  kill(): void;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/support/writer-child.ts'), ...args], {
    cwd: root,
    env: { ...process.env, S3DB_WRITER_CONNECTION: connection },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine?.(line);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<WriterResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return Object.assign(done, { kill: () => child.kill('SIGKILL') });
}
