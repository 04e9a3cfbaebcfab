// stdio: one client over stdin/stdout, either era (the SDK decides once per connection). stdout carries only
// JSON-RPC from here on. A line longer than the SDK reads (10 MB) would close the transport and end the process
// without a word; the guard drops that one line, answers it with a JSON-RPC error and keeps the session.
import { Transform, type TransformCallback } from 'node:stream';
import { STDIO_DEFAULT_MAX_BUFFER_SIZE, type McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';

export interface RunningTransport {
  close(): Promise<void>;
}

/** Passes lines through; a line past `maxLineBytes` is dropped and reported (to `onOversize`). */
export class LineGuard extends Transform {
  private pending: Buffer[] = [];
  private lineBytes = 0;
  private dropping = false;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onOversize: (bytes: number) => void,
  ) {
    super();
  }

  // A line is held until its newline (at most maxLineBytes, what the SDK would hold anyway), then passed on whole
  // or, past the cap, dropped without keeping its bytes.
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline + 1;
      const piece = chunk.subarray(start, end);
      this.lineBytes += piece.length;
      if (!this.dropping && this.lineBytes > this.maxLineBytes) {
        this.dropping = true;
        this.pending = [];
      }
      if (!this.dropping) this.pending.push(piece);
      start = end;
      if (newline === -1) break;
      if (this.dropping) this.onOversize(this.lineBytes);
      else this.push(Buffer.concat(this.pending));
      this.pending = [];
      this.lineBytes = 0;
      this.dropping = false;
    }
    done();
  }
}

export interface StdioOptions {
  /** Told about a dropped line (the caller logs it on stderr). */
  onOversize?: (bytes: number) => void;
  maxLineBytes?: number;
}

export function startStdio(makeServer: () => McpServer, options: StdioOptions = {}): RunningTransport {
  const max = options.maxLineBytes ?? STDIO_DEFAULT_MAX_BUFFER_SIZE;
  const guard = new LineGuard(max - 1, (bytes) => {
    options.onOversize?.(bytes);
    const message = `Request too large: a ${bytes}-byte line is more than this server reads (${max} bytes); it was dropped.`;
    process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message } })}\n`);
  });
  process.stdin.pipe(guard);
  process.stdin.on('end', () => guard.end());
  const handle = serveStdio(() => makeServer(), { transport: new StdioServerTransport(guard, process.stdout) });
  return { close: () => handle.close() };
}
