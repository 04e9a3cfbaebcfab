// NDJSON in: lines read from a stream one chunk at a time (the loop pulls the next chunk only after the caller
// has dealt with the lines it has), so a file of any size is read in bounded memory.
import type { Readable } from 'node:stream';

export type NdjsonItem = { line: number; value: Record<string, unknown> } | { line: number; error: string };

/**
 * Each non-empty line parsed as a JSON object, or the reason it is not one; `onBytes` is told the bytes of each line
 * as it is handed on (not as chunks are read ahead), so progress by bytes is exact.
 */
export async function* readNdjson(input: Readable, onBytes?: (n: number) => void): AsyncGenerator<NdjsonItem> {
  let rest = '';
  let line = 0;
  const decoder = new TextDecoder();
  const parse = (text: string): NdjsonItem | undefined => {
    line++;
    onBytes?.(Buffer.byteLength(text) + 1);
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    try {
      const value: unknown = JSON.parse(trimmed);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return { line, error: 'not a JSON object' };
      }
      return { line, value: value as Record<string, unknown> };
    } catch (error) {
      return { line, error: `not valid JSON (${(error as Error).message})` };
    }
  };
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    rest += decoder.decode(bytes, { stream: true });
    let at: number;
    while ((at = rest.indexOf('\n')) >= 0) {
      const item = parse(rest.slice(0, at));
      rest = rest.slice(at + 1);
      if (item) yield item;
    }
  }
  rest += decoder.decode();
  const last = parse(rest);
  if (last) yield last;
}

/** Groups items into arrays of at most `size`, pulling the source only as fast as the groups are consumed. */
export async function* batches<T>(source: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of source) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
