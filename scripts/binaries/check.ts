// The check of a built binary: copied into an empty folder (no node_modules, no package.json) and run there.
// s3db: a CLI round trip (create, insert, get, query, count, export | import). s3db-mcp-server: an MCP stdio
// session (initialize, tools/list) that must list the tools.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function fresh(binary: string): { dir: string; bin: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 's3db-bin-check-'));
  const bin = path.join(dir, path.basename(binary));
  copyFileSync(binary, bin);
  return { dir, bin };
}

const ENV = { PATH: '/usr/bin:/bin', HOME: os.tmpdir() };

/** Runs the CLI round trip; throws with what went wrong. Returns the number of commands run. */
export function checkCli(binary: string): number {
  const { dir, bin } = fresh(binary);
  try {
    const run = (args: string[], input?: string) =>
      execFileSync(bin, ['--connection', 'file://./data', ...args], {
        cwd: dir,
        env: ENV,
        encoding: 'utf8',
        input,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    const steps: [string[], (out: string) => boolean, string?][] = [
      [
        ['create', 'people', '-a', 'name:string|required,team:string', '-p', 'byTeam=team'],
        (o) => /"created":true/.test(o),
      ],
      [
        ['insert', 'people', '-d', '[{"id":"p1","name":"Ada","team":"red"},{"id":"p2","name":"Bob","team":"blue"}]'],
        (o) => /"inserted":2/.test(o),
      ],
      [['get', 'people', 'p1'], (o) => JSON.parse(o).name === 'Ada'],
      [['query', 'people', '--partition', 'byTeam', '--value', 'team=red'], (o) => JSON.parse(o).records.length === 1],
      [['count', 'people'], (o) => JSON.parse(o).count === 2],
      [['import', 'people'], (o) => JSON.parse(o).written === 1, '{"id":"p3","name":"Cy","team":"red"}\n'],
      [['export', 'people'], (o) => o.trim().split('\n').length === 3],
      [['--version'], (o) => /^\d+\.\d+\.\d+/.test(o)],
    ];
    for (const [args, ok, input] of steps) {
      const out = run(args, input);
      if (!ok(out)) throw new Error(`s3db ${args.join(' ')} printed an unexpected answer: ${out.slice(0, 300)}`);
    }
    return steps.length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts the MCP server over stdio, initializes and lists the tools; returns their number. */
export function checkMcp(binary: string, args: string[] = []): Promise<number> {
  const { dir, bin } = fresh(binary);
  return new Promise<number>((resolve, reject) => {
    const child = spawn(bin, [...args, '--connection-string=file://./data', '--log-level=silent'], {
      cwd: dir,
      env: ENV,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let buffer = '';
    let stderr = '';
    const timer = setTimeout(() => finish(new Error(`no tools/list answer in 20 s; stderr: ${stderr}`)), 20_000);
    const finish = (error: Error | null, count?: number) => {
      clearTimeout(timer);
      child.kill();
      rmSync(dir, { recursive: true, force: true });
      if (error) reject(error);
      else resolve(count as number);
    };
    const send = (msg: object) => child.stdin.write(`${JSON.stringify(msg)}\n`);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => finish(e));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let at: number;
      while ((at = buffer.indexOf('\n')) >= 0) {
        const msg = JSON.parse(buffer.slice(0, at)) as { id?: number; result?: { tools?: unknown[] } };
        buffer = buffer.slice(at + 1);
        if (msg.id === 1) {
          send({ jsonrpc: '2.0', method: 'notifications/initialized' });
          send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
        } else if (msg.id === 2) {
          const n = msg.result?.tools?.length ?? 0;
          finish(n > 0 ? null : new Error('tools/list returned no tools'), n);
        }
      }
    });
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'binary-check', version: '1' } },
    });
  });
}
