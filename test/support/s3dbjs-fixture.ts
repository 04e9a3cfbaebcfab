// The s3db.js 21.6.2 fixture (test/fixtures/s3dbjs-21.6.2, see its README): every object s3db.js left in a
// radosgw bucket, and what s3db.js itself read back. Loads it into a store exactly as given, and says which
// fields of a read document must match which expected value.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../../engine/index.js';
import { deletePath, mapLimit, setPath } from '../../engine/internal.js';
import type { S3TestServer } from './s3-server.js';
import { plainS3Client } from './stores.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/s3dbjs-21.6.2');

export interface FixtureObject {
  key: string;
  metadata: Record<string, string>;
  sentMetadata: Record<string, string>;
  contentType: string;
  body: string;
  bodyEncoding: 'utf-8' | 'base64';
}

export interface Difference {
  field: string;
  wrote: unknown;
  got: unknown;
  reason: string;
}

type Expected = Record<string, Record<string, Record<string, unknown>>> & {
  $notes: Record<string, Record<string, { differences?: Difference[] }>>;
};

const read = <T>(file: string): T => JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as T;

export const fixture = {
  objects: read<FixtureObject[]>('objects.json'),
  /** s3db.js's reads on radosgw (metadata names with `-` for `_`). */
  expected: read<Expected>('expected.json'),
  /** s3db.js's reads where metadata names keep their `_` (AWS, MinIO). */
  expectedAws: read<Expected>('expected-aws.json'),
  passphrase: read<{ passphrase: string }>('definitions.json').passphrase,
};

/** The metadata names of one view: as radosgw returned them, or as s3db.js sent them (what AWS keeps). */
export type View = 'radosgw' | 'aws';

export function bodyOf(o: FixtureObject): Buffer {
  return Buffer.from(o.body, o.bodyEncoding === 'base64' ? 'base64' : 'utf8');
}

/** Puts every object (key, metadata of the view, content type, body) into `store`. */
export async function loadFixture(store: ObjectStore, view: View): Promise<void> {
  await mapLimit(fixture.objects, 8, async (o) => {
    await store.put(o.key, bodyOf(o), view === 'aws' ? o.sentMetadata : o.metadata, { contentType: o.contentType });
  });
}

/**
 * Loads the fixture into `bucket` with a plain client: no 2 KB guard, because radosgw accepted s3db.js's
 * objects with more (the engine's own test store keeps the guard for everything it writes).
 */
export async function loadFixtureUnguarded(server: S3TestServer, bucket: string): Promise<void> {
  const client = plainS3Client(server);
  try {
    await mapLimit(fixture.objects, 8, async (o) => {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: o.key,
          Body: bodyOf(o),
          Metadata: o.metadata,
          ContentType: o.contentType,
        }),
      );
    });
  } finally {
    client.destroy();
  }
}

/** [resource, id] of every record s3db.js read back. */
export function expectedRecords(): [string, string][] {
  const out: [string, string][] = [];
  for (const [resource, records] of Object.entries(fixture.expectedAws)) {
    if (resource === '$notes') continue;
    for (const id of Object.keys(records)) out.push([resource, id]);
  }
  return out;
}

/** Fields s3db.js adds to every document from the GET response (not stored data). */
const isResponseField = (name: string): boolean => name.startsWith('_') || name.startsWith('-');

/** Top-level field of a `$notes` difference (`spec.width` → `spec`, `blob_0` stays). */
const topField = (field: string): string => field.split('.')[0]!;

/** A note's written value as a document holds it: a Buffer (`{$buffer}`) reads back as its base64. */
function written(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && '$buffer' in value) return (value as { $buffer: string }).$buffer;
  return value;
}

const MARKERS = new Set(['(not written)', '(undefined / absent)']);

/** Notes where s3db.js misreads what it stored and the engine returns the written value instead. */
const RECOVERED = [
  /'date' type/,
  /positional field map/,
  /removed by the schema change/,
  /Buffer values/,
  /body-overflow/,
];

/**
 * What the engine must return for one field: s3db.js's own read when it read the field right; where its
 * `$notes` say it did not, the value written when the note's value can be recovered from what is stored,
 * else (normalized on write, data s3db.js lost) s3db.js's own read or nothing.
 */
export function acceptable(
  expected: Expected,
  resource: string,
  id: string,
  field: string,
): { exact: unknown } | { oneOf: unknown[] } {
  const notes = (expected.$notes[resource]?.[id]?.differences ?? []).filter((d) => topField(d.field) === field);
  const got = expected[resource]![id]![field];
  if (notes.length === 0) return { exact: got };
  // s3db.js read this field back under its raw key: the stored value is under that key's note.
  const raw = (expected.$notes[resource]?.[id]?.differences ?? []).filter((d) =>
    d.reason.includes(`raw base36 key of '${field}'`),
  );
  if (raw.length > 0) return { oneOf: raw.map((d) => d.got) };
  const recovered = notes.find(
    (n) => n.field === field && !MARKERS.has(String(n.wrote)) && RECOVERED.some((r) => r.test(n.reason)),
  );
  if (recovered) return { exact: written(recovered.wrote) };
  // Notes on the fields of a nested object: s3db.js's object with each recovered field set to what was written.
  const nested = notes.filter((n) => n.field !== field && RECOVERED.some((r) => r.test(n.reason)));
  if (nested.length > 0 && nested.length === notes.length) {
    const rebuilt = structuredClone((got ?? {}) as Record<string, unknown>);
    for (const n of nested) {
      const sub = n.field.slice(field.length + 1);
      if (MARKERS.has(String(n.wrote))) deletePath(rebuilt, sub);
      else setPath(rebuilt, sub, written(n.wrote));
    }
    return { exact: rebuilt };
  }
  const options: unknown[] = [got];
  for (const n of notes) {
    if (n.field === field && !MARKERS.has(String(n.wrote))) options.push(written(n.wrote));
    if (MARKERS.has(String(n.wrote))) options.push(undefined);
  }
  return { oneOf: options };
}

export { isResponseField };
