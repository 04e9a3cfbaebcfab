// Pins connection string parsing, redaction, strict options and the stores openStore returns.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  FileStore,
  MemoryStore,
  S3Store,
  openStore,
  parseConnectionString,
  redactConnectionString,
} from '../../engine/index.js';

describe('parseConnectionString', () => {
  it('parses s3:// with URL-encoded credentials, prefix and region', () => {
    expect(parseConnectionString('s3://AKIA1:se%2Fcr%2Bet@my-bucket/some/prefix/?region=eu-west-1')).toEqual({
      kind: 's3',
      bucket: 'my-bucket',
      prefix: 'some/prefix/',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIA1', secretAccessKey: 'se/cr+et' },
    });
  });

  it('leaves credentials to the default chain when the string has none', () => {
    const c = parseConnectionString('s3://my-bucket');
    expect(c).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: '' });
  });

  it('parses path-style http(s) endpoints with options', () => {
    expect(
      parseConnectionString('http://k:s@127.0.0.1:7480/bkt/pre?maxSockets=10&maxAttempts=2&forcePathStyle=true'),
    ).toEqual({
      kind: 's3',
      endpoint: 'http://127.0.0.1:7480',
      bucket: 'bkt',
      prefix: 'pre/',
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      maxSockets: 10,
      maxAttempts: 2,
      forcePathStyle: true,
    });
    expect(parseConnectionString('https://K:S@nyc3.digitaloceanspaces.com/space1')).toMatchObject({
      endpoint: 'https://nyc3.digitaloceanspaces.com',
      bucket: 'space1',
      prefix: '',
    });
  });

  it('parses file:// (absolute and ./relative) and memory://', () => {
    expect(parseConnectionString('file:///var/lib/s3db')).toEqual({ kind: 'file', root: '/var/lib/s3db' });
    expect(parseConnectionString('file://./data')).toEqual({ kind: 'file', root: path.resolve('data') });
    expect(parseConnectionString('memory://demo')).toEqual({ kind: 'memory', name: 'demo' });
  });

  const bad = [
    'nonsense',
    'ftp://x/y',
    's3://',
    's3://Bad_Bucket',
    's3://key-only@bucket1',
    's3://bucket1?colour=blue',
    'http://k:s@host:1/bkt?maxSockets=zero',
    'file://relative/path',
  ];
  for (const input of bad) {
    it(`rejects ${input} with a ConfigError whose hint shows an example`, () => {
      let error: unknown;
      try {
        parseConnectionString(input);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).hint).toMatch(/:\/\//);
    });
  }
});

describe('redactConnectionString', () => {
  it('replaces the secret and session tokens, keeps the rest', () => {
    expect(redactConnectionString('s3://AKIA1:very%2Fsecret@bkt/p?region=us-east-1')).toBe(
      's3://AKIA1:***@bkt/p?region=us-east-1',
    );
    expect(redactConnectionString('http://k:s@h:1/b?sessionToken=tok&maxSockets=2')).toBe(
      'http://k:***@h:1/b?sessionToken=***&maxSockets=2',
    );
    expect(redactConnectionString('file:///x')).toBe('file:///x');
  });
});

describe('openStore', () => {
  it('opens each kind with a redacted description', async () => {
    expect(openStore('memory://t')).toBeInstanceOf(MemoryStore);
    expect(openStore('file:///tmp/s3db-open-test')).toBeInstanceOf(FileStore);
    const s3 = openStore('http://key:topsecret@127.0.0.1:9/bkt/pre');
    expect(s3).toBeInstanceOf(S3Store);
    expect(s3.description).not.toContain('topsecret');
    expect((s3 as S3Store).prefix).toBe('pre/');
    await s3.close();
  });

  it('fails fast with a NETWORK error naming the endpoint when nothing listens', async () => {
    const s3 = openStore('http://k:s@127.0.0.1:9/bkt?maxAttempts=1&connectionTimeoutMs=1000');
    await expect(s3.get('x')).rejects.toMatchObject({ code: 'NETWORK', hint: expect.stringContaining('127.0.0.1:9') });
    await s3.close();
  });
});
