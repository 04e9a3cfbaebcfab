// Messages larger than a transport carries never end a session: an 11 MB stdin line is dropped with a JSON-RPC
// error (the server keeps serving), and a result past what a client reads loses its text copy, not the session.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { LineGuard } from '../../transports/stdio.js';
import { INIT } from './support/raw-requests.js';

const MAIN = fileURLToPath(new URL('../../dist/server/main.js', import.meta.url));

/** Reads stdout lines as they come; `next()` waits for one with a deadline. */
function lines(child: ChildProcessWithoutNullStreams) {
  const queue: string[] = [];
  let buffer = '';
  let wake: (() => void) | undefined;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf('\n')) !== -1) {
      queue.push(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
    wake?.();
  });
  return async (timeoutMs = 10_000): Promise<unknown> => {
    const deadline = Date.now() + timeoutMs;
    while (queue.length === 0) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('no line from the server');
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
    return JSON.parse(queue.shift()!);
  };
}

let child: ChildProcessWithoutNullStreams | undefined;
afterEach(async () => {
  if (child !== undefined && child.exitCode === null) {
    child.kill();
    await once(child, 'exit');
  }
  child = undefined;
});

describe('stdio: a line too large to read', () => {
  it('is answered with a JSON-RPC error and the session goes on', async () => {
    child = spawn(process.execPath, [MAIN, '--connection-string=memory://big', '--log-level=warn']);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const next = lines(child);
    const huge = JSON.stringify({ ...INIT, params: { ...INIT.params, pad: 'x'.repeat(11 * 1024 * 1024) } });
    child.stdin.write(`${huge}\n`);
    child.stdin.write(`${JSON.stringify(INIT)}\n`);
    expect(await next()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
    expect(await next()).toMatchObject({ id: 1, result: { serverInfo: { name: 's3db-mcp-server' } } });
    expect(child.exitCode).toBeNull();
    expect(stderr).toMatch(/too large/);
  }, 30_000);

  it('LineGuard passes every line under the cap unchanged, whatever the chunking', () => {
    const dropped: number[] = [];
    const guard = new LineGuard(10, (n) => dropped.push(n));
    const out: Buffer[] = [];
    guard.on('data', (b: Buffer) => out.push(b));
    const input = 'short\n' + 'x'.repeat(25) + '\nok\n' + '0123456789\n';
    for (let i = 0; i < input.length; i += 3) guard.write(Buffer.from(input.slice(i, i + 3)));
    expect(Buffer.concat(out).toString()).toBe('short\nok\n');
    expect(dropped).toEqual([26, 11]);
  });
});

describe('a result larger than a client reads', () => {
  it('keeps the stdio session: a 5 MB document is echoed in structuredContent only', async () => {
    const client = new Client({ name: 't', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [MAIN, '--connection-string=memory://big', '--log-level=silent'],
      }),
    );
    await client.callTool({ name: 'createResource', arguments: { name: 'blobs', attributes: { body: 'string' } } });
    const body = 'y'.repeat(5 * 1024 * 1024);
    const inserted = await client.callTool({
      name: 'insert',
      arguments: { resource: 'blobs', data: { id: 'b', body } },
    });
    expect(inserted.isError).toBeFalsy();
    const text = (inserted.content as { text: string }[])[0]!.text;
    expect(text).toMatch(/structuredContent only/);
    expect((inserted.structuredContent as { record: { body: string } }).record.body).toHaveLength(body.length);
    // The session is still there.
    expect((await client.listTools()).tools.length).toBeGreaterThan(10);
    await client.close();
  }, 60_000);
});
