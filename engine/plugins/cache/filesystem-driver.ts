// Cache on local disk: a directory per resource, one file per entry named `SCOPE.PARAMS`, written to a temp
// file and renamed into place (readers never see half an entry); encrypted when the database has a passphrase.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SecretCipher } from '../../crypto/index.js';
import { ConfigError } from '../../errors.js';
import { decodeEntry, encodeEntry } from './entry-codec.js';
import type { CacheDriver, CacheDriverStats, CacheEntry } from './types.js';

export interface FilesystemCacheOptions {
  directory: string;
  /** gzip entries (default false). */
  compress?: boolean;
}

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}

export class FilesystemCacheDriver implements CacheDriver {
  readonly kind = 'filesystem';
  readonly directory: string;
  private readonly compress: boolean;
  private readonly cipher: SecretCipher | undefined;
  private counters = { evictions: 0, expirations: 0, unreadable: 0 };

  constructor(options: FilesystemCacheOptions, cipher?: SecretCipher) {
    if (typeof options?.directory !== 'string' || options.directory === '') {
      throw new ConfigError('The filesystem cache needs a directory', {
        hint: 'Pass { driver: "filesystem", directory: "/path/to/cache" }.',
      });
    }
    this.directory = path.resolve(options.directory);
    this.compress = options.compress ?? false;
    this.cipher = cipher;
  }

  /** `RESOURCE/SCOPE/PARAMS` → `DIR/RESOURCE/SCOPE.PARAMS`. */
  private file(key: string): { dir: string; file: string } {
    const [resource, scope, params] = key.split('/');
    const dir = path.join(this.directory, resource!);
    return { dir, file: path.join(dir, `${scope}.${params}`) };
  }

  async get(key: string, now: number): Promise<CacheEntry | undefined> {
    const { file } = this.file(key);
    let raw: Buffer;
    try {
      raw = await readFile(file);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
    const entry = await decodeEntry(raw, this.cipher);
    if (!entry) {
      this.counters.unreadable++;
      return undefined;
    }
    if (entry.expiresAt !== 0 && entry.expiresAt <= now) {
      this.counters.expirations++;
      await unlink(file).catch(() => undefined);
      return undefined;
    }
    return entry;
  }

  async set(key: string, entry: CacheEntry): Promise<void> {
    const { dir, file } = this.file(key);
    const body = await encodeEntry(entry, { cipher: this.cipher, compress: this.compress });
    await mkdir(dir, { recursive: true });
    const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    await writeFile(temp, body);
    try {
      await rename(temp, file);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw e;
    }
  }

  async deletePrefix(prefix: string): Promise<number> {
    const [resource, scope] = prefix.split('/');
    if (!resource) {
      const names = await readdir(this.directory).catch(() => [] as string[]);
      await Promise.all(names.map((n) => rm(path.join(this.directory, n), { recursive: true, force: true })));
      return names.length;
    }
    const dir = path.join(this.directory, resource);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if (isMissing(e)) return 0;
      throw e;
    }
    const doomed = names.filter((n) => !n.startsWith('.') && (!scope || n.startsWith(`${scope}.`)));
    await Promise.all(doomed.map((n) => unlink(path.join(dir, n)).catch(() => undefined)));
    return doomed.length;
  }

  stats(): CacheDriverStats {
    return { ...this.counters };
  }

  describe(): Record<string, unknown> {
    return {
      driver: 'filesystem',
      directory: this.directory,
      compress: this.compress,
      encrypted: this.cipher?.hasPassphrase === true,
    };
  }
}
