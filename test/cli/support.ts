// Runs the built s3db bin as a subprocess: compiled once per test file into its own folder (.tmp/), so it never
// races the e2e test's `npm run build` over dist/.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

/** Compiles the sources (tsconfig.build.json) into a fresh folder under .tmp/ and returns the s3db bin in it. */
export function buildCli(): string {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true }); // gitignored: absent in a fresh clone
  const out = mkdtempSync(join(ROOT, '.tmp', 'cli-build-'));
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out],
    {
      cwd: ROOT,
      stdio: 'ignore',
    },
  );
  return join(out, 'cli/main.js');
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const BASE_ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

/** Runs node BIN args with stdin `input` (or an empty stdin), no terminal. */
export function runBin(
  bin: string,
  args: readonly string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<Ran> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...BASE_ENV, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs the command in a pseudo-terminal of `cols` columns (util-linux `script`); stdout and stderr are merged. */
export function runInTerminal(
  bin: string,
  args: readonly string[],
  options: { input?: string; env?: Record<string, string>; cwd?: string; cols?: number } = {},
): Promise<Ran> {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const line = `stty cols ${options.cols ?? 100} rows 40; exec ${quote(process.execPath)} ${[bin, ...args].map(quote).join(' ')}`;
  return new Promise((resolveRun, reject) => {
    const child = spawn('script', ['-qec', line, '/dev/null'], {
      cwd: options.cwd ?? ROOT,
      env: { ...BASE_ENV, TERM: 'xterm-256color', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr: '' }));
    if (options.input !== undefined) child.stdin.write(options.input);
    // script ends the session when its stdin closes; a prompt must get its answer first.
    setTimeout(() => child.stdin.end(), options.input === undefined ? 0 : 1500);
  });
}

/** Colour and cursor escape sequences. */
// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** What a terminal would show: per line, what follows the last return to column 1 (a spinner's redraw), no escapes. */
export function visible(text: string): string {
  return (
    text
      .split('\n')
      // eslint-disable-next-line no-control-regex
      .map((line) => line.split(/\r(?!$)|\u001b\[1G/).at(-1) ?? '')
      .join('\n')
      .replace(ANSI, '')
      .replace(/\r/g, '')
  );
}

/** The last JSON line of a stream (stderr may also carry Node's warnings, e.g. the AWS SDK's about Node 20). */
export function json<T = Record<string, unknown>>(text: string): T {
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    if (!/^[[{]/.test(line)) continue;
    try {
      return JSON.parse(line) as T;
    } catch {
      // not this one
    }
  }
  throw new Error(`no JSON line in: ${text.slice(0, 500)}`);
}
