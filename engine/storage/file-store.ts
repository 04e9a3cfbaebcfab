// The embedded default store: a directory with S3 semantics. One file per object (a small JSON header, then the
// body) written to a temp file and renamed into place, so readers always see one complete version. Keys map to
// nested directories, one per `/`-separated segment, each name a reversible escape of the segment, so no key can
// name a path outside the root and listing a prefix only reads the directories on that prefix's path.
// A per-key lock file (O_EXCL) around check + rename makes conditional writes hold across processes.
// LIST goes through an in-memory ordered index checked against directory mtimes (file-list-index.ts), so a page
// costs about what it returns; temp and lock files a crashed writer left are removed as LIST comes across them.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, type BigIntStats } from 'node:fs';
import path from 'node:path';
import { StorageError, ValidationError } from '../errors.js';
import { FileListIndex, type ListedHead } from './file-list-index.js';
import { assertValidKey, compareKeys, decodeToken, encodeToken } from './key-order.js';
import { checkMaxKeys } from './list-keys.js';
import { checkPreconditions } from './memory-store.js';
import { normalizeMetadata } from './metadata-rules.js';
import type {
  DeleteManyResult,
  ListOptions,
  ListResult,
  ListedObject,
  Metadata,
  ObjectHead,
  ObjectStore,
  PutOptions,
  RequestCounts,
  StoredObject,
} from './object-store.js';
import { RequestCounter } from './request-counter.js';
import { encodeKey } from './file-keys.js';
import { mapLimit } from '../util/index.js';

export interface FileStoreOptions {
  /** fsync each object before the rename (durable across power loss, slower). Default false. */
  fsync?: boolean;
  /** How long a writer waits for another process's lock on the same key. Default 10 s. */
  lockTimeoutMs?: number;
  /** Printed form; defaults to `file://<absolute root>`. */
  description?: string;
}

const MAGIC = Buffer.from('S3DB1\n');
const HEADER_LEN_BYTES = 4;
const STALE_LOCK_MS = 30_000;
const CORRUPTED_HINT =
  'The file was not written by s3db (or was edited by hand): restore it from a backup or delete it.';

interface Header {
  key: string;
  etag: string;
  size: number;
  metadata: Metadata;
  contentType?: string;
}

export class FileStore implements ObjectStore {
  readonly kind = 'file' as const;
  readonly description: string;
  readonly root: string;
  private readonly counter = new RequestCounter();
  private readonly fsyncWrites: boolean;
  private readonly lockTimeoutMs: number;
  private readonly index = new FileListIndex(
    async (file, key) => {
      const found = await this.readHeader(file, key);
      if (!found) return null;
      const { header, stat } = found;
      return { head: { size: header.size, etag: header.etag, lastModified: found.mtime }, stat };
    },
    (dir, name) => void removeIfAbandoned(dir, name),
  );

  constructor(root: string, options: FileStoreOptions = {}) {
    this.root = path.resolve(root);
    this.description = options.description ?? `file://${this.root}`;
    this.fsyncWrites = options.fsync ?? false;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  }

  async get(key: string): Promise<StoredObject | null> {
    this.counter.count('GetObject');
    assertValidKey(key);
    const file = this.pathOf(key);
    let buf: Buffer;
    let mtime: Date;
    try {
      const handle = await fs.open(file, 'r');
      try {
        const st = await handle.stat();
        buf = await handle.readFile();
        mtime = st.mtime;
      } finally {
        await handle.close();
      }
    } catch (err) {
      if (isMissing(err)) return null;
      throw ioError(err, 'GetObject', key);
    }
    const { header, bodyOffset } = parseObject(buf, key);
    return { ...headOf(header, mtime), key, body: buf.subarray(bodyOffset) };
  }

  async head(key: string): Promise<ObjectHead | null> {
    this.counter.count('HeadObject');
    assertValidKey(key);
    const found = await this.readHeader(this.pathOf(key), key);
    return found ? { ...headOf(found.header, found.mtime), key } : null;
  }

  async put(key: string, body: Buffer | string, metadata?: Metadata, options: PutOptions = {}) {
    this.counter.count('PutObject');
    assertValidKey(key);
    const meta = normalizeMetadata(metadata, key);
    const buf = Buffer.from(body);
    const etag = `"${createHash('md5').update(buf).digest('hex')}"`;
    const header: Header = {
      key,
      etag,
      size: buf.length,
      metadata: meta,
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    };
    const json = Buffer.from(JSON.stringify(header));
    const len = Buffer.alloc(HEADER_LEN_BYTES);
    len.writeUInt32BE(json.length);
    const data = Buffer.concat([MAGIC, len, json, buf]);
    const file = this.pathOf(key);
    const dir = path.dirname(file);
    const tmp = path.join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    await this.withLock(file, key, async () => {
      if (options.ifMatch !== undefined || options.ifNoneMatch !== undefined) {
        const current = await this.readHeader(file, key);
        checkPreconditions(key, current?.header, options);
      }
      try {
        await fs.writeFile(tmp, data, { flush: this.fsyncWrites });
        await fs.rename(tmp, file);
      } catch (err) {
        await fs.rm(tmp, { force: true });
        throw ioError(err, 'PutObject', key);
      }
    });
    return { etag };
  }

  async delete(key: string): Promise<void> {
    this.counter.count('DeleteObject');
    assertValidKey(key);
    await this.deleteOne(key);
  }

  async deleteMany(keys: string[]): Promise<DeleteManyResult> {
    for (let i = 0; i < keys.length; i += 1000) this.counter.count('DeleteObjects');
    const result: DeleteManyResult = { deleted: [], errors: [] };
    await mapLimit(keys, 16, async (key) => {
      try {
        assertValidKey(key);
        await this.deleteOne(key);
        result.deleted.push(key);
      } catch (err) {
        result.errors.push({ key, code: 'InternalError', message: err instanceof Error ? err.message : String(err) });
      }
    });
    return result;
  }

  async list(options: ListOptions = {}): Promise<ListResult> {
    this.counter.count('ListObjectsV2');
    const prefix = options.prefix ?? '';
    const maxKeys = checkMaxKeys(options.maxKeys);
    let after = options.continuationToken ? decodeToken(options.continuationToken) : options.startAfter;
    if (after !== undefined && compareKeys(after, prefix) < 0) after = undefined;
    // Keys come in order from the index; with a delimiter one more than the page may be read per common prefix.
    const objects: ListedObject[] = [];
    const heads: (() => Promise<ListedHead | null>)[] = [];
    const commonPrefixes: string[] = [];
    let last: string | undefined;
    let truncated = false;
    for await (const obj of this.index.objects(this.root, prefix, after)) {
      const cut = options.delimiter ? obj.key.indexOf(options.delimiter, prefix.length) : -1;
      const common = cut >= 0 ? obj.key.slice(0, cut + options.delimiter!.length) : undefined;
      if (common !== undefined && common === commonPrefixes[commonPrefixes.length - 1]) {
        last = obj.key;
        continue;
      }
      if (objects.length + commonPrefixes.length === maxKeys) {
        truncated = true;
        break;
      }
      if (common !== undefined) commonPrefixes.push(common);
      else {
        objects.push({ key: obj.key, size: 0, etag: '', lastModified: new Date(0) });
        heads.push(obj.head);
      }
      last = obj.key;
    }
    const found = await mapLimit(heads, 32, (head) => head());
    // An object deleted between the directory read and now: S3 would not have listed it either.
    const listed = objects
      .map((o, i) => (found[i] ? { ...o, ...found[i] } : undefined))
      .filter((o): o is ListedObject => o !== undefined);
    return truncated
      ? { objects: listed, commonPrefixes, isTruncated: true, nextContinuationToken: encodeToken(last!) }
      : { objects: listed, commonPrefixes, isTruncated: false };
  }

  requestCounts(): RequestCounts {
    return this.counter.snapshot();
  }

  resetRequestCounts(): void {
    this.counter.reset();
  }

  async close(): Promise<void> {}

  /** The file that holds `key`: one directory per `/`-separated segment, each name escaped (see encodeKey). */
  pathOf(key: string): string {
    return path.join(this.root, ...encodeKey(key));
  }

  private async deleteOne(key: string): Promise<void> {
    const file = this.pathOf(key);
    await this.withLock(file, key, async () => {
      try {
        await fs.unlink(file);
      } catch (err) {
        if (!isMissing(err)) throw ioError(err, 'DeleteObject', key);
      }
    });
    // Drop directories left empty, so listings stay cheap; a concurrent writer recreates what it needs.
    let dir = path.dirname(file);
    while (dir.length > this.root.length && dir.startsWith(this.root)) {
      try {
        await fs.rmdir(dir);
      } catch {
        break;
      }
      dir = path.dirname(dir);
    }
  }

  private async readHeader(
    file: string,
    key: string,
  ): Promise<{ header: Header; mtime: Date; stat: BigIntStats } | null> {
    let handle;
    try {
      handle = await fs.open(file, 'r');
    } catch (err) {
      if (isMissing(err)) return null;
      throw ioError(err, 'HeadObject', key);
    }
    try {
      const st = await handle.stat({ bigint: true });
      const first = Buffer.alloc(Math.min(Number(st.size), 4096));
      await handle.read(first, 0, first.length, 0);
      let buf = first;
      const needed = MAGIC.length + HEADER_LEN_BYTES + readHeaderLength(first, key);
      if (needed > first.length) {
        buf = Buffer.alloc(needed);
        await handle.read(buf, 0, needed, 0);
      }
      return { header: parseObject(buf, key).header, mtime: new Date(Number(st.mtimeMs)), stat: st };
    } finally {
      await handle.close();
    }
  }

  private async withLock<T>(file: string, key: string, fn: () => Promise<T>): Promise<T> {
    const lock = path.join(path.dirname(file), `.lock-${path.basename(file)}`);
    const deadline = Date.now() + this.lockTimeoutMs;
    let wait = 1;
    for (;;) {
      try {
        // The lock appears with its owner's pid already in it (written aside, then hard-linked into place, which
        // fails on an existing lock): a writer killed at any point never leaves an empty lock that others must
        // wait out, only one naming a dead process, which is removed at once.
        const draft = `${lock}.${process.pid}-${randomBytes(4).toString('hex')}`;
        await fs.writeFile(draft, String(process.pid));
        try {
          await fs.link(draft, lock);
        } finally {
          await fs.rm(draft, { force: true });
        }
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          // The directory is missing (first write below it, or a delete just removed it): create and retry.
          await fs.mkdir(path.dirname(file), { recursive: true }).catch((e: unknown) => {
            throw ioError(e, 'PutObject', key);
          });
          continue;
        }
        if (code === 'ENAMETOOLONG') {
          throw new ValidationError(`Key is too long for the file system under ${this.root}`, {
            details: { key: key.slice(0, 200) },
            hint: 'Use a shorter key or a shorter root directory.',
          });
        }
        if (code !== 'EEXIST') throw ioError(err, 'PutObject', key);
        if (await removeIfStale(lock)) continue;
        if (Date.now() > deadline) {
          // Not a precondition failure (ConflictError would read as "the key exists" to an insert): a timeout.
          throw new StorageError('TIMEOUT', `Timed out waiting for another writer of ${key}`, {
            details: { key, lock },
            hint: `Another process holds ${lock}; if no process is writing, delete that file.`,
            retryable: true,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, wait + Math.random() * wait));
        wait = Math.min(wait * 2, 25);
      }
    }
    try {
      return await fn();
    } finally {
      await fs.rm(lock, { force: true });
    }
  }
}

/**
 * A temp file (`.tmp-PID-…`) or lock (`.lock-…`) whose writer process is gone, left by a crash, is removed when a
 * LIST re-reads its directory. Only when the PID is dead on this host and the file is older than STALE_LOCK_MS:
 * a live writer's files are never touched, and a PID from another host sharing the directory is left alone
 * until it is that old.
 */
async function removeIfAbandoned(dir: string, name: string): Promise<void> {
  const match = /^\.(tmp|lock)-/.exec(name);
  if (!match) return;
  const file = path.join(dir, name);
  try {
    if (match[1] === 'lock') {
      await removeIfStale(file);
      return;
    }
    const pid = Number(name.split('-')[1]);
    const st = await fs.stat(file);
    if (Date.now() - st.mtimeMs < STALE_LOCK_MS || !processGone(pid)) return;
    await fs.rm(file, { force: true });
  } catch {
    // gone already, or not ours to judge: leave it
  }
}

function processGone(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** A lock whose owner process is gone, or that is much older than any write, is removed. */
async function removeIfStale(lock: string): Promise<boolean> {
  try {
    const [pidText, st] = await Promise.all([fs.readFile(lock, 'utf8'), fs.stat(lock)]);
    const pid = Number(pidText);
    let dead = false;
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
      try {
        process.kill(pid, 0);
      } catch (err) {
        dead = (err as NodeJS.ErrnoException).code === 'ESRCH';
      }
    }
    if (!dead && Date.now() - st.mtimeMs < STALE_LOCK_MS) return false;
    // Rename first so that two processes cannot both remove it and one of them delete a fresh lock.
    const grave = `${lock}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    await fs.rename(lock, grave);
    await fs.rm(grave, { force: true });
    return true;
  } catch {
    return false; // it went away or is being written: just retry
  }
}

// ---- file format ---------------------------------------------------------------------------------------------

function readHeaderLength(buf: Buffer, key: string): number {
  if (buf.length < MAGIC.length + HEADER_LEN_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw corrupted(key);
  }
  return buf.readUInt32BE(MAGIC.length);
}

function parseObject(buf: Buffer, key: string): { header: Header; bodyOffset: number } {
  const len = readHeaderLength(buf, key);
  const start = MAGIC.length + HEADER_LEN_BYTES;
  if (buf.length < start + len) throw corrupted(key);
  try {
    return { header: JSON.parse(buf.subarray(start, start + len).toString('utf8')) as Header, bodyOffset: start + len };
  } catch {
    throw corrupted(key);
  }
}

function headOf(header: Header, mtime: Date): ObjectHead {
  return {
    key: header.key,
    metadata: { ...header.metadata },
    etag: header.etag,
    size: header.size,
    lastModified: mtime,
    ...(header.contentType === undefined ? {} : { contentType: header.contentType }),
  };
}

function corrupted(key: string): StorageError {
  return new StorageError('CORRUPTED', `The file holding "${key}" is not a valid s3db object`, {
    details: { key },
    hint: CORRUPTED_HINT,
  });
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function ioError(err: unknown, operation: string, key?: string): StorageError {
  const code = (err as NodeJS.ErrnoException | null)?.code ?? 'EIO';
  return new StorageError('STORAGE', `File store ${operation} failed (${code})`, {
    details: { operation, errno: code, ...(key === undefined ? {} : { key: key.slice(0, 200) }) },
    hint:
      code === 'ENOSPC'
        ? 'The disk is full: free space or move the data directory.'
        : code === 'EACCES' || code === 'EPERM'
          ? 'The server cannot write its data directory: fix its permissions or choose another file:// path.'
          : 'Check the data directory (exists, writable, not on a failing disk).',
    retryable: code === 'EMFILE' || code === 'EAGAIN' || code === 'EBUSY',
    cause: err,
  });
}
