// What a cache driver does: keyed entries with an expiry, removal by key prefix, and its own counters.
export const CACHE_DRIVERS = ['memory', 'filesystem', 's3'] as const;
export type CacheDriverKind = (typeof CACHE_DRIVERS)[number];

export const EVICTION_POLICIES = ['lru', 'fifo', 'ttl'] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

/** A cached value as drivers store it: `expiresAt` in epoch ms, 0 = never. */
export interface CacheEntry {
  value: unknown;
  expiresAt: number;
}

export interface CacheDriverStats {
  evictions: number;
  expirations: number;
  /** Entries that could not be read back (damaged, other passphrase): counted as misses. */
  unreadable: number;
  /** Present for drivers that know them without a request. */
  entries?: number;
  bytes?: number;
}

export interface CacheDriver {
  readonly kind: CacheDriverKind | string;
  /** The entry, or undefined when missing or expired at `now` (an expired entry is removed). */
  get(key: string, now: number): Promise<CacheEntry | undefined>;
  set(key: string, entry: CacheEntry, now: number): Promise<void>;
  /** Removes every key starting with `prefix` ('' = everything); returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  stats(): CacheDriverStats;
  /** A JSON summary of the driver's options. */
  describe(): Record<string, unknown>;
}
