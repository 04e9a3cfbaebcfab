// Cache in the database's own bucket under a plugin prefix (default `plugin=cache/`), gzip-compressed and
// encrypted with the database's cipher when a passphrase is set. Shared by every server on the bucket: a
// write on one server invalidates the entries all of them read. Each invalidated scope costs one LIST (plus a
// DeleteObjects when it held entries).
import type { SecretCipher } from '../../crypto/index.js';
import { CACHE_PREFIX } from '../../keys.js';
import { listPages, type ObjectStore } from '../../storage/index.js';
import { decodeEntry, encodeEntry } from './entry-codec.js';
import type { CacheDriver, CacheDriverStats, CacheEntry } from './types.js';

export interface S3CacheOptions {
  /** Key prefix in the bucket (default `plugin=cache/`). */
  prefix?: string;
  /** gzip entries (default true). */
  compress?: boolean;
}

export const DEFAULT_S3_CACHE_PREFIX = CACHE_PREFIX;

export class S3CacheDriver implements CacheDriver {
  readonly kind = 's3';
  readonly prefix: string;
  private readonly compress: boolean;
  private counters = { evictions: 0, expirations: 0, unreadable: 0 };

  constructor(
    private readonly store: ObjectStore,
    private readonly cipher: SecretCipher | undefined,
    options: S3CacheOptions = {},
  ) {
    this.prefix = options.prefix ?? DEFAULT_S3_CACHE_PREFIX;
    this.compress = options.compress ?? true;
  }

  async get(key: string, now: number): Promise<CacheEntry | undefined> {
    const obj = await this.store.get(this.prefix + key);
    if (!obj) return undefined;
    const entry = await decodeEntry(obj.body, this.cipher);
    if (!entry) {
      this.counters.unreadable++;
      return undefined;
    }
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) {
      this.counters.expirations++;
      return undefined;
    }
    return entry;
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    const body = await encodeEntry(entry, { cipher: this.cipher, compress: this.compress });
    await this.store.put(this.prefix + key, body, {}, { contentType: 'application/octet-stream' });
  }

  async deletePrefix(prefix: string): Promise<number> {
    let n = 0;
    // Page by page: each page's keys are deleted before the next LIST, as one DeleteObjects each.
    for await (const page of listPages(this.store, this.prefix + prefix)) {
      if (page.objects.length > 0) {
        await this.store.deleteMany(page.objects.map((o) => o.key));
        n += page.objects.length;
      }
    }
    return n;
  }

  stats(): CacheDriverStats {
    return { ...this.counters };
  }

  describe(): Record<string, unknown> {
    return {
      driver: 's3',
      prefix: this.prefix,
      compress: this.compress,
      encrypted: this.cipher?.hasPassphrase === true,
    };
  }
}
