// In-process store: S3 semantics (metadata rules, byte-ordered listing, conditional writes), gone on exit.
import { createHash } from 'node:crypto';
import { ConflictError } from '../errors.js';
import { assertValidKey, compareKeys } from './key-order.js';
import { listSorted } from './list-keys.js';
import { normalizeMetadata } from './metadata-rules.js';
import type {
  DeleteManyResult,
  ListOptions,
  ListResult,
  Metadata,
  ObjectHead,
  ObjectStore,
  PutOptions,
  RequestCounts,
  StoredObject,
} from './object-store.js';
import { RequestCounter } from './request-counter.js';

function etagOf(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

/** Throws the ConflictError S3 answers with 412 when a conditional write's precondition does not hold. */
export function checkPreconditions(key: string, current: { etag: string } | undefined, options: PutOptions): void {
  if (options.ifNoneMatch === '*' && current) {
    throw new ConflictError(`Object already exists: ${key}`, {
      details: { key, condition: 'ifNoneMatch' },
      hint: 'The key is taken; choose another id, or update the existing object.',
    });
  }
  if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) {
    throw new ConflictError(`Object changed since it was read: ${key}`, {
      details: { key, condition: 'ifMatch' },
      hint: 'Another writer changed it; read it again and retry.',
      retryable: true,
    });
  }
}

export class MemoryStore implements ObjectStore {
  readonly kind = 'memory' as const;
  readonly description: string;
  private readonly objects = new Map<string, StoredObject>();
  private sorted: string[] = [];
  private readonly counter = new RequestCounter();

  private readonly enforceMetadataLimit: boolean;

  /**
   * `enforceMetadataLimit: false` accepts user metadata over 2 KB, as radosgw does (objects other tools wrote
   * there, such as s3db.js's, can be loaded as they are); the default enforces AWS's limit.
   */
  constructor(name = 'default', options: { enforceMetadataLimit?: boolean } = {}) {
    this.description = `memory://${name}`;
    this.enforceMetadataLimit = options.enforceMetadataLimit !== false;
  }

  async get(key: string): Promise<StoredObject | null> {
    this.counter.count('GetObject');
    const obj = this.objects.get(key);
    return obj ? { ...obj, body: Buffer.from(obj.body), metadata: { ...obj.metadata } } : null;
  }

  async head(key: string): Promise<ObjectHead | null> {
    this.counter.count('HeadObject');
    const obj = this.objects.get(key);
    if (!obj) return null;
    const { body: _body, ...head } = obj;
    return { ...head, metadata: { ...obj.metadata } };
  }

  async put(key: string, body: Buffer | string, metadata?: Metadata, options: PutOptions = {}) {
    this.counter.count('PutObject');
    assertValidKey(key);
    const meta = normalizeMetadata(metadata, key, { enforceLimit: this.enforceMetadataLimit });
    checkPreconditions(key, this.objects.get(key), options);
    const buf = Buffer.from(body);
    const etag = etagOf(buf);
    if (!this.objects.has(key)) this.insertSorted(key);
    this.objects.set(key, {
      key,
      body: buf,
      metadata: meta,
      etag,
      size: buf.length,
      lastModified: new Date(),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    });
    return { etag };
  }

  async delete(key: string): Promise<void> {
    this.counter.count('DeleteObject');
    this.remove(key);
  }

  async deleteMany(keys: string[]): Promise<DeleteManyResult> {
    for (let i = 0; i < keys.length; i += 1000) this.counter.count('DeleteObjects');
    for (const key of keys) this.remove(key);
    return { deleted: [...keys], errors: [] };
  }

  async list(options: ListOptions = {}): Promise<ListResult> {
    this.counter.count('ListObjectsV2');
    return listSorted(this.sorted, options, (key) => {
      const obj = this.objects.get(key)!;
      return { key, size: obj.size, etag: obj.etag, lastModified: obj.lastModified };
    });
  }

  requestCounts(): RequestCounts {
    return this.counter.snapshot();
  }

  resetRequestCounts(): void {
    this.counter.reset();
  }

  async close(): Promise<void> {}

  private insertSorted(key: string): void {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.sorted[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.sorted.splice(lo, 0, key);
  }

  private remove(key: string): void {
    if (!this.objects.delete(key)) return;
    const i = this.sorted.indexOf(key);
    if (i >= 0) this.sorted.splice(i, 1);
  }
}
