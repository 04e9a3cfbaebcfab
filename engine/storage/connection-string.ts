// Connection strings name a store: s3://, http(s):// (path-style S3-compatible servers), file://, memory://.
// Parsing is strict (unknown options and malformed strings are ConfigErrors whose hint shows a correct
// example); every printed form goes through redactConnectionString.
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { FileStore } from './file-store.js';
import { MemoryStore } from './memory-store.js';
import type { ObjectStore } from './object-store.js';
import { S3Store, type S3Credentials, type S3Tuning } from './s3-store.js';

export const CONNECTION_STRING_EXAMPLES = {
  s3: 's3://AKIAEXAMPLE:SECRET@my-bucket/optional/prefix?region=us-east-1',
  http: 'http://KEY:SECRET@127.0.0.1:7480/my-bucket/optional/prefix',
  https: 'https://KEY:SECRET@nyc3.digitaloceanspaces.com/my-bucket',
  file: 'file:///var/lib/s3db  or  file://./s3db-data',
  memory: 'memory://demo',
} as const;

const ALL_EXAMPLES = Object.values(CONNECTION_STRING_EXAMPLES).join('  |  ');

export type ConnectionConfig =
  | { kind: 'memory'; name: string }
  | { kind: 'file'; root: string; fsync?: boolean }
  | ({
      kind: 's3';
      bucket: string;
      prefix: string;
      /** Absent for s3:// (AWS); `http(s)://host:port` otherwise. */
      endpoint?: string;
      /** Absent: the AWS default credential chain. */
      credentials?: S3Credentials;
    } & S3Tuning);

const S3_NUMBER_OPTIONS = ['maxSockets', 'connectionTimeoutMs', 'requestTimeoutMs', 'maxAttempts'] as const;
const S3_OPTIONS = ['region', 'forcePathStyle', 'sessionToken', ...S3_NUMBER_OPTIONS] as const;
const FILE_OPTIONS = ['fsync'] as const;
const SECRET_OPTIONS = new Set(['sessionToken']);

function fail(message: string, example: string, details: Record<string, unknown> = {}): never {
  throw new ConfigError(message, { details, hint: `Write it like: ${example}` });
}

/** Splits `scheme://[userinfo@]rest` by hand: AWS secrets often contain `/` and `+`, which URL parsing mangles. */
function splitAuthority(input: string): { scheme: string; userinfo?: string; rest: string; query: string } {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/is.exec(input);
  if (!m)
    fail('A connection string must start with a scheme such as s3://, http://, file:// or memory://', ALL_EXAMPLES);
  const scheme = m[1]!.toLowerCase();
  let body = m[2]!;
  let query = '';
  const q = body.indexOf('?');
  if (q >= 0) {
    query = body.slice(q + 1);
    body = body.slice(0, q);
  }
  const at = body.lastIndexOf('@');
  if (at >= 0 && (scheme === 's3' || scheme === 'http' || scheme === 'https')) {
    return { scheme, userinfo: body.slice(0, at), rest: body.slice(at + 1), query };
  }
  return { scheme, rest: body, query };
}

function decode(part: string, what: string, example: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return fail(`The ${what} in the connection string is not valid percent-encoding`, example);
  }
}

function parseCredentials(userinfo: string | undefined, example: string): S3Credentials | undefined {
  if (userinfo === undefined) return undefined;
  const colon = userinfo.indexOf(':');
  if (colon <= 0 || colon === userinfo.length - 1) {
    fail('Credentials in a connection string must be KEY:SECRET (both parts)', example);
  }
  return {
    accessKeyId: decode(userinfo.slice(0, colon), 'access key', example),
    secretAccessKey: decode(userinfo.slice(colon + 1), 'secret', example),
  };
}

function parseOptions(query: string, allowed: readonly string[], example: string): Map<string, string> {
  const options = new Map<string, string>();
  if (query === '') return options;
  for (const [name, value] of new URLSearchParams(query)) {
    if (!allowed.includes(name)) {
      fail(
        `Unknown connection string option "${name}"${allowed.length ? ` (known: ${allowed.join(', ')})` : ''}`,
        example,
        { option: name },
      );
    }
    options.set(name, value);
  }
  return options;
}

function positiveInt(name: string, value: string, example: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    fail(`Option ${name} must be a positive integer (got "${value}")`, example, { option: name });
  }
  return n;
}

function bool(name: string, value: string, example: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return fail(`Option ${name} must be true or false (got "${value}")`, example, { option: name });
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function splitBucket(pathPart: string, example: string): { bucket: string; prefix: string } {
  const parts = pathPart.split('/');
  const bucket = decode(parts[0] ?? '', 'bucket', example);
  if (!BUCKET_NAME.test(bucket)) {
    fail(
      bucket === ''
        ? 'The connection string names no bucket'
        : `"${bucket}" is not a valid bucket name (3-63 lower-case letters, digits, dots, hyphens)`,
      example,
    );
  }
  const prefix = parts
    .slice(1)
    .filter((p) => p !== '')
    .map((p) => decode(p, 'prefix', example))
    .join('/');
  return { bucket, prefix: prefix === '' ? '' : `${prefix}/` };
}

/** Parses a connection string; throws ConfigError (hint: a correct example) when it is malformed. */
export function parseConnectionString(input: string): ConnectionConfig {
  const { scheme, userinfo, rest, query } = splitAuthority(input.trim());
  switch (scheme) {
    case 'memory': {
      parseOptions(query, [], CONNECTION_STRING_EXAMPLES.memory);
      return { kind: 'memory', name: decode(rest, 'name', CONNECTION_STRING_EXAMPLES.memory) || 'default' };
    }
    case 'file': {
      const example = CONNECTION_STRING_EXAMPLES.file;
      const options = parseOptions(query, FILE_OPTIONS, example);
      const p = decode(rest, 'path', example);
      if (p === '' || !(p.startsWith('/') || p === '.' || p.startsWith('./') || p.startsWith('../'))) {
        fail(`file:// needs an absolute path (file:///abs) or one starting with ./ (got "${input}")`, example);
      }
      const fsyncValue = options.get('fsync');
      return {
        kind: 'file',
        root: path.resolve(p),
        ...(fsyncValue === undefined ? {} : { fsync: bool('fsync', fsyncValue, example) }),
      };
    }
    case 's3':
    case 'http':
    case 'https': {
      const example = CONNECTION_STRING_EXAMPLES[scheme];
      const credentials = parseCredentials(userinfo, example);
      const options = parseOptions(query, S3_OPTIONS, example);
      let endpoint: string | undefined;
      let pathPart = rest;
      if (scheme !== 's3') {
        const slash = rest.indexOf('/');
        const host = slash < 0 ? rest : rest.slice(0, slash);
        if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i.test(host)) {
          fail(`"${host}" is not a valid host[:port]`, example);
        }
        endpoint = `${scheme}://${host}`;
        pathPart = slash < 0 ? '' : rest.slice(slash + 1);
      }
      const { bucket, prefix } = splitBucket(pathPart, example);
      const config: ConnectionConfig = { kind: 's3', bucket, prefix };
      if (endpoint !== undefined) config.endpoint = endpoint;
      if (credentials !== undefined) {
        const token = options.get('sessionToken');
        config.credentials = token === undefined ? credentials : { ...credentials, sessionToken: token };
      } else if (options.has('sessionToken')) {
        fail('sessionToken needs KEY:SECRET credentials in the connection string', example);
      }
      const region = options.get('region');
      if (region !== undefined) {
        if (!/^[a-z0-9-]+$/.test(region)) fail(`"${region}" is not a region name`, example);
        config.region = region;
      }
      const fps = options.get('forcePathStyle');
      if (fps !== undefined) config.forcePathStyle = bool('forcePathStyle', fps, example);
      for (const name of S3_NUMBER_OPTIONS) {
        const value = options.get(name);
        if (value !== undefined) config[name] = positiveInt(name, value, example);
      }
      return config;
    }
    default:
      return fail(`Unknown connection string scheme "${scheme}://"`, ALL_EXAMPLES);
  }
}

/** The string with any secret (password part of the credentials, sessionToken) replaced by `***`. */
export function redactConnectionString(input: string): string {
  let out = input.trim();
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^?]*)(\?.*)?$/is.exec(out);
  if (m) {
    let body = m[2]!;
    const at = body.lastIndexOf('@');
    if (at >= 0) {
      const userinfo = body.slice(0, at);
      const colon = userinfo.indexOf(':');
      body = (colon >= 0 ? `${userinfo.slice(0, colon)}:***` : userinfo) + body.slice(at);
    }
    out = m[1]! + body + (m[3] ?? '');
  }
  return out.replace(/([?&])([^=&]+)=([^&]*)/g, (all, sep: string, name: string) =>
    SECRET_OPTIONS.has(name) ? `${sep}${name}=***` : all,
  );
}

export interface OpenStoreOptions extends S3Tuning {
  /** File store: fsync before rename. */
  fsync?: boolean;
}

/** Opens the store a connection string names. Options are defaults; the string's own options win. */
export function openStore(connectionString: string, options: OpenStoreOptions = {}): ObjectStore {
  const config = parseConnectionString(connectionString);
  const description = redactConnectionString(connectionString);
  switch (config.kind) {
    case 'memory':
      return new MemoryStore(config.name);
    case 'file': {
      const fsync = config.fsync ?? options.fsync;
      return new FileStore(config.root, { ...(fsync === undefined ? {} : { fsync }) });
    }
    case 's3': {
      const { kind: _kind, ...s3 } = config;
      const { fsync: _fsync, ...tuning } = options;
      return new S3Store({ ...tuning, ...s3, description });
    }
  }
}
