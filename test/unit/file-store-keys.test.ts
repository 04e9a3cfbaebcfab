// Pins the file store's key <-> path encoding: reversible, confined to the root, within file-name limits.
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileStore } from '../../engine/index.js';
import { decodeKey, encodeKey } from '../../engine/storage/file-keys.js';

const nasty = ['../../etc/passwd', '/abs/path', '..', '.', 'a/../../b', 'nul\u0000byte', 'A/a', '', 'é'.repeat(512)];

describe('file store key encoding', () => {
  it('round-trips keys and keeps every component a safe, short name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }), (key) => {
        if (Buffer.byteLength(key) > 1024) return;
        const parts = encodeKey(key);
        expect(decodeKey(parts)).toBe(key);
        for (const p of parts) {
          expect(Buffer.byteLength(p)).toBeLessThanOrEqual(255);
          expect(p).toMatch(/^[odc][a-z0-9\-_.=,@+~%^A-F]*$/);
        }
      }),
    );
  });

  for (const key of nasty.filter((k) => k !== '')) {
    it(`keeps ${JSON.stringify(key.slice(0, 20))} inside the root`, () => {
      const store = new FileStore('/tmp/s3db-root');
      const file = store.pathOf(key);
      expect(file.startsWith(`/tmp/s3db-root${path.sep}`)).toBe(true);
      expect(decodeKey(path.relative('/tmp/s3db-root', file).split(path.sep))).toBe(key);
    });
  }

  it('maps keys differing only in case to different names', () => {
    expect(encodeKey('Abc')).not.toEqual(encodeKey('abc'));
    expect(encodeKey('Abc')[0]!.toLowerCase()).not.toBe(encodeKey('abc')[0]!.toLowerCase());
  });
});
