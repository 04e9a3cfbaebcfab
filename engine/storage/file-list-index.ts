// The file store's ordered listing index: per directory, its entries sorted in key order and the list entries
// (size, ETag, time) of its objects, kept in memory and checked against the file system on every LIST. Nothing is
// persisted, so a crash cannot leave it wrong, and another process's writes are seen because every write renames
// (or unlinks) an entry of the object's directory, which changes the directory's mtime; an object file is never
// rewritten in place. A LIST page then costs one stat per directory on the prefix's path plus the page itself,
// instead of a walk and sort of the whole prefix and a header read per key.
//
// Timestamps are coarse (a kernel tick), so a directory changed twice within one tick may keep its mtime: a cached
// state is trusted only when it was read more than RACY_MS after the directory's mtime ("racy git" rule); until
// the directory has been quiet that long it is re-read, and its object entries re-checked by inode, mtime and size.
import type { BigIntStats } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { decodeName } from './file-keys.js';
import { compareKeys } from './key-order.js';

const RACY_MS = 200n;

export interface ListedHead {
  size: number;
  etag: string;
  lastModified: Date;
}

interface Entry {
  name: string;
  type: 'o' | 'd' | 'c';
  /** The decoded text this entry adds to its directory's key (with '/' for a directory). */
  text: string;
  bytes: Buffer;
}

interface CachedHead extends ListedHead {
  ino: bigint;
  mtimeNs: bigint;
  fileSize: bigint;
  readAtNs: bigint;
}

interface DirState {
  mtimeNs: bigint;
  readAtNs: bigint;
  entries: Entry[];
  heads: Map<string, CachedHead>;
  /** Whether this state was trusted without re-reading (its heads need no stat). */
  trusted: boolean;
}

export interface IndexedObject {
  key: string;
  file: string;
  head: () => Promise<ListedHead | null>;
}

/** Reads an object file's list entry and the stat it was read with. */
export type HeadReader = (file: string, key: string) => Promise<{ head: ListedHead; stat: BigIntStats } | null>;

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function compareEntries(a: Entry, b: Entry): number {
  return Buffer.compare(a.bytes, b.bytes) || (a.type === 'o' ? -1 : b.type === 'o' ? 1 : 0);
}

/** First index whose entry is not below `rel` (bytes compared). */
function lowerBound(entries: Entry[], rel: Buffer): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Buffer.compare(entries[mid]!.bytes, rel) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class FileListIndex {
  private readonly dirs = new Map<string, DirState>();

  constructor(
    private readonly readHead: HeadReader,
    /** Called with each name that is not an entry (temp and lock files) when a directory is re-read. */
    private readonly onStray: (dir: string, name: string) => void = () => {},
  ) {}

  /** The directory's current state: the cached one when the directory has not changed since, else re-read. */
  private async state(dir: string): Promise<DirState | null> {
    let st: BigIntStats;
    try {
      st = await fs.stat(dir, { bigint: true });
    } catch {
      this.dirs.delete(dir);
      return null;
    }
    const cached = this.dirs.get(dir);
    if (cached && cached.mtimeNs === st.mtimeNs && cached.readAtNs - st.mtimeNs > RACY_MS * 1_000_000n) {
      cached.trusted = true;
      return cached;
    }
    const readAtNs = nowNs();
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      this.dirs.delete(dir);
      return null;
    }
    const entries: Entry[] = [];
    for (const name of names) {
      const type = name[0];
      if (type !== 'o' && type !== 'd' && type !== 'c') {
        this.onStray(dir, name);
        continue;
      }
      const text = decodeName(name.slice(1)) + (type === 'd' ? '/' : '');
      entries.push({ name, type, text, bytes: Buffer.from(text, 'utf8') });
    }
    entries.sort(compareEntries);
    const state: DirState = {
      mtimeNs: st.mtimeNs,
      readAtNs,
      entries,
      heads: cached?.heads ?? new Map(),
      trusted: false,
    };
    // Forget heads of entries that are gone.
    if (cached) {
      const live = new Set(names);
      for (const name of state.heads.keys()) if (!live.has(name)) state.heads.delete(name);
    }
    this.dirs.set(dir, state);
    return state;
  }

  /** Objects under `prefix` after `after`, in key order, lazily (stop iterating once the page is full). */
  async *objects(root: string, prefix: string, after: string | undefined): AsyncGenerator<IndexedObject> {
    yield* this.walk(root, '', prefix, after);
  }

  private async *walk(
    dir: string,
    decoded: string,
    prefix: string,
    after: string | undefined,
  ): AsyncGenerator<IndexedObject> {
    const state = await this.state(dir);
    if (!state) return;
    const entries = state.entries;
    const relPrefix = prefix.startsWith(decoded) ? prefix.slice(decoded.length) : '';
    // Entries that are a path into the prefix sort before it but start with its first character.
    let i = lowerBound(entries, Buffer.from(relPrefix.slice(0, 1), 'utf8'));
    if (after !== undefined && after.startsWith(decoded)) {
      const relAfter = after.slice(decoded.length);
      const rel = Buffer.from(relAfter, 'utf8');
      let j = lowerBound(entries, rel);
      if (j < entries.length && entries[j]!.type === 'o' && entries[j]!.bytes.equals(rel)) j++;
      // Step back into a directory (or long-segment continuation) on `after`'s path: it may hold later keys.
      for (let back = 0; back < 2 && j > 0; back++) {
        const prev = entries[j - 1]!;
        if (prev.type === 'o' || !relAfter.startsWith(prev.text)) break;
        j--;
      }
      i = Math.max(i, j);
    }
    for (; i < entries.length; i++) {
      const entry = entries[i]!;
      const full = decoded + entry.text;
      if (!full.startsWith(prefix) && !prefix.startsWith(full)) {
        if (compareKeys(full, prefix) > 0) return; // sorted: nothing further can match
        continue;
      }
      const file = path.join(dir, entry.name);
      if (entry.type !== 'o') {
        yield* this.walk(file, full, prefix, after);
        continue;
      }
      if (!full.startsWith(prefix)) continue;
      yield { key: full, file, head: () => this.head(state, entry.name, file, full) };
    }
  }

  private async head(state: DirState, name: string, file: string, key: string): Promise<ListedHead | null> {
    const cached = state.heads.get(name);
    // Without a stat only when read (or checked) after the directory last changed: overwriting the object renames
    // into the directory, which changes its mtime. A re-read directory keeps its earlier heads, and a state becomes
    // trusted on its next LIST page, so `state.trusted` alone would pass heads never checked since the write.
    if (cached && state.trusted && cached.readAtNs - state.mtimeNs > RACY_MS * 1_000_000n) return cached;
    if (cached) {
      const checkedAtNs = nowNs();
      let st: BigIntStats;
      try {
        st = await fs.stat(file, { bigint: true });
      } catch {
        return null;
      }
      const same = st.ino === cached.ino && st.mtimeNs === cached.mtimeNs && st.size === cached.fileSize;
      if (same && cached.readAtNs - st.mtimeNs > RACY_MS * 1_000_000n) {
        // Still this file as of the stat: later pages of a quiet directory need no stat for it.
        cached.readAtNs = checkedAtNs;
        return cached;
      }
    }
    const readAtNs = nowNs();
    const read = await this.readHead(file, key);
    if (!read) {
      state.heads.delete(name);
      return null;
    }
    state.heads.set(name, {
      ...read.head,
      ino: read.stat.ino,
      mtimeNs: read.stat.mtimeNs,
      fileSize: read.stat.size,
      readAtNs,
    });
    return read.head;
  }
}
