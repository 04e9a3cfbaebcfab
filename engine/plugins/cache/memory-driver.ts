// In-process cache: entries kept as JSON text (callers can never mutate a cached value), bounded in entries
// and bytes, evicting by LRU (least recently read), FIFO (oldest written) or TTL (soonest to expire).
import { ValidationError } from '../../errors.js';
import {
  EVICTION_POLICIES,
  type CacheDriver,
  type CacheDriverStats,
  type CacheEntry,
  type EvictionPolicy,
} from './types.js';

export interface MemoryCacheOptions {
  /** Default 1000. */
  maxEntries?: number;
  /** Default 32 MiB (JSON text bytes). An entry larger than this is not cached. */
  maxBytes?: number;
  /** Default 'lru'. */
  eviction?: EvictionPolicy;
}

const SWEEP_INTERVAL_MS = 1000;

interface Slot {
  text: string;
  bytes: number;
  expiresAt: number;
}

export class MemoryCacheDriver implements CacheDriver {
  readonly kind = 'memory';
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly eviction: EvictionPolicy;
  private readonly slots = new Map<string, Slot>();
  private bytes = 0;
  private lastSweep = -Infinity;
  private counters = { evictions: 0, expirations: 0, unreadable: 0, tooLarge: 0 };

  constructor(options: MemoryCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 1000;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.eviction = options.eviction ?? 'lru';
    if (!(EVICTION_POLICIES as readonly string[]).includes(this.eviction)) {
      throw new ValidationError(`Unknown eviction policy "${String(this.eviction)}"`, {
        hint: `Use one of: ${EVICTION_POLICIES.join(', ')}.`,
      });
    }
    for (const [name, v] of [
      ['maxEntries', this.maxEntries],
      ['maxBytes', this.maxBytes],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) {
        throw new ValidationError(`Cache ${name} must be a positive integer`, { hint: `Got ${String(v)}.` });
      }
    }
  }

  private remove(key: string): void {
    const slot = this.slots.get(key);
    if (!slot) return;
    this.slots.delete(key);
    this.bytes -= slot.bytes;
  }

  async get(key: string, now: number): Promise<CacheEntry | undefined> {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    if (slot.expiresAt !== 0 && slot.expiresAt <= now) {
      this.remove(key);
      this.counters.expirations++;
      return undefined;
    }
    if (this.eviction === 'lru') {
      this.slots.delete(key);
      this.slots.set(key, slot);
    }
    return { value: JSON.parse(slot.text) as unknown, expiresAt: slot.expiresAt };
  }

  async set(key: string, entry: CacheEntry, now: number): Promise<void> {
    const text = JSON.stringify(entry.value ?? null);
    const bytes = Buffer.byteLength(text, 'utf8');
    this.remove(key);
    if (bytes > this.maxBytes) {
      this.counters.tooLarge++;
      return;
    }
    this.slots.set(key, { text, bytes, expiresAt: entry.expiresAt });
    this.bytes += bytes;
    if (!this.overLimit()) return;
    // Expired entries leave first; a full sweep at most once a second keeps a set O(1) amortised.
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep(now);
    while (this.overLimit()) this.evictOne();
  }

  private overLimit(): boolean {
    return this.slots.size > this.maxEntries || this.bytes > this.maxBytes;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, slot] of this.slots) {
      if (slot.expiresAt !== 0 && slot.expiresAt <= now) {
        this.remove(key);
        this.counters.expirations++;
      }
    }
  }

  /** LRU/FIFO: the first in map order (reads move entries to the end under LRU); TTL: the soonest to expire (O(n)). */
  private evictOne(): void {
    let victim: string | undefined;
    if (this.eviction === 'ttl') {
      let soonest = Infinity;
      for (const [key, slot] of this.slots) {
        const at = slot.expiresAt === 0 ? Infinity : slot.expiresAt;
        if (victim === undefined || at < soonest) {
          victim = key;
          soonest = at;
        }
      }
    } else {
      victim = this.slots.keys().next().value;
    }
    if (victim === undefined) return;
    this.remove(victim);
    this.counters.evictions++;
  }

  async deletePrefix(prefix: string): Promise<number> {
    let n = 0;
    for (const key of [...this.slots.keys()]) {
      if (key.startsWith(prefix)) {
        this.remove(key);
        n++;
      }
    }
    return n;
  }

  stats(): CacheDriverStats {
    return {
      evictions: this.counters.evictions,
      expirations: this.counters.expirations,
      unreadable: this.counters.unreadable,
      entries: this.slots.size,
      bytes: this.bytes,
    };
  }

  describe(): Record<string, unknown> {
    return { driver: 'memory', maxEntries: this.maxEntries, maxBytes: this.maxBytes, eviction: this.eviction };
  }
}
