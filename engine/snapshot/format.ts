// What a snapshot holds on the bucket. A segment is gzip'd JSON lines, one stored object per line exactly as the
// store returned it (metadata, body, ETag, size) — secrets still encrypted, `_v` still in the metadata — so a
// reader decodes it through the resource's codec like a GET, whatever schema version wrote it. The manifest is
// gzip'd JSON naming each segment and, per document, the ETag and size it had when it was packed: a document
// whose live LIST entry still shows that ETag and size is read from the segment, any other is read directly.
import { gunzipSync, gzipSync } from 'node:zlib';
import { S3dbError } from '../errors.js';
import type { Metadata } from '../storage/index.js';

export const MANIFEST_FORMAT = 1;

/** One stored object as packed into a segment. */
export interface SegmentEntry {
  id: string;
  etag: string;
  size: number;
  metadata: Metadata;
  body: Buffer;
}

export interface SegmentInfo {
  key: string;
  /** Compressed bytes of the segment object. */
  bytes: number;
  /** Ids in data-key order, with the ETag and size each had when packed (parallel arrays keep the JSON small). */
  ids: string[];
  etags: string[];
  sizes: number[];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  resource: string;
  buildId: string;
  builtAt: string;
  documents: number;
  segments: SegmentInfo[];
  /** Segments of earlier builds, kept until `at` + the grace period so readers of the old manifest finish. */
  retired: { key: string; at: string }[];
}

interface Line {
  i: string;
  e: string;
  s: number;
  m: Metadata;
  /** The body as UTF-8 text when it round-trips exactly, else base64 in `b64`. */
  b?: string;
  b64?: string;
}

function corrupted(what: string, cause?: unknown): S3dbError {
  return new S3dbError('CORRUPTED', `A snapshot ${what} cannot be read`, {
    hint: 'Queries fall back to reading documents directly; rebuild the snapshot (buildSnapshot).',
    ...(cause === undefined ? {} : { cause }),
  });
}

export function encodeLine(entry: SegmentEntry): string {
  const text = entry.body.toString('utf8');
  const exact = Buffer.byteLength(text) === entry.body.length && Buffer.from(text, 'utf8').equals(entry.body);
  const line: Line = { i: entry.id, e: entry.etag, s: entry.size, m: entry.metadata };
  if (exact) line.b = text;
  else line.b64 = entry.body.toString('base64');
  return `${JSON.stringify(line)}\n`;
}

export function encodeSegment(lines: string[]): Buffer {
  return gzipSync(Buffer.from(lines.join(''), 'utf8'));
}

export function decodeSegment(body: Buffer): SegmentEntry[] {
  let text: string;
  try {
    text = gunzipSync(body).toString('utf8');
  } catch (e) {
    throw corrupted('segment', e);
  }
  const out: SegmentEntry[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const line = JSON.parse(raw) as Line;
    const body = line.b64 !== undefined ? Buffer.from(line.b64, 'base64') : Buffer.from(line.b ?? '', 'utf8');
    out.push({ id: line.i, etag: line.e, size: line.s, metadata: line.m, body });
  }
  return out;
}

export function encodeManifest(manifest: Manifest): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(manifest), 'utf8'));
}

export function decodeManifest(body: Buffer): Manifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(body).toString('utf8'));
  } catch (e) {
    throw corrupted('manifest', e);
  }
  const m = parsed as Manifest;
  if (!m || m.format !== MANIFEST_FORMAT || !Array.isArray(m.segments)) throw corrupted('manifest');
  return m;
}
