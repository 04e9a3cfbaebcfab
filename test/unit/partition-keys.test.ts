// Partition definitions validate and sort; reference keys escape every value exactly and parse back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../engine/index.js';
import {
  decodePartitionValue,
  encodePartitionValue,
  normalizePartitions,
  parseReferenceKey,
  partitionPrefix,
  partitionReferenceKeys,
} from '../../engine/partitions/index.js';
import { thrown } from '../support/errors.js';

const fieldTypes = {
  region: 'string',
  tier: 'string',
  createdAt: 'date',
  age: 'number',
  vip: 'boolean',
  token: 'secret',
  tags: 'array',
};

describe('normalizePartitions', () => {
  it('sorts fields alphabetically whatever the definition order', () => {
    const out = normalizePartitions(fieldTypes, { byTierRegion: { fields: { tier: 'string', region: 'string' } } });
    expect(Object.keys(out.byTierRegion!.fields)).toEqual(['region', 'tier']);
  });

  it('rejects an unknown attribute, naming partition, field and the attributes', () => {
    const e = thrown(() => normalizePartitions(fieldTypes, { p: { fields: { country: 'string' } } }));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toContain('"p"');
    expect(e.message).toContain('"country"');
    expect(e.hint).toContain('region');
    expect(thrown(() => normalizePartitions(fieldTypes, { p: { fields: { toString: 'string' } } })).message).toContain(
      'unknown attribute "toString"',
    );
  });

  it('rejects secret and array fields, unknown rules and modifiers, bad names', () => {
    expect(thrown(() => normalizePartitions(fieldTypes, { p: { fields: { token: 'string' } } })).hint).toMatch(
      /Secret/,
    );
    expect(thrown(() => normalizePartitions(fieldTypes, { p: { fields: { tags: 'string' } } })).code).toBe(
      'VALIDATION',
    );
    expect(thrown(() => normalizePartitions(fieldTypes, { p: { fields: { region: 'strng' } } })).message).toMatch(
      /unknown rule/,
    );
    expect(
      thrown(() => normalizePartitions(fieldTypes, { p: { fields: { region: 'string|max:2' } } })).message,
    ).toMatch(/modifier/);
    expect(thrown(() => normalizePartitions(fieldTypes, { 'a/b': { fields: { region: 'string' } } })).message).toMatch(
      /not allowed/,
    );
  });
});

describe('partitionReferenceKeys', () => {
  const partitions = normalizePartitions(fieldTypes, {
    byRegion: { fields: { region: 'string' } },
    byTierRegion: { fields: { tier: 'string', region: 'string' } },
    byDay: { fields: { createdAt: 'date|maxlength:10' } },
    byPrefix: { fields: { region: 'string|maxlength:2' } },
    byAgeVip: { fields: { age: 'number', vip: 'boolean' } },
  });

  it('writes fields in alphabetical order and buckets by maxlength', () => {
    const keys = partitionReferenceKeys('users', partitions, {
      id: 'u1',
      region: 'US-East',
      tier: 'gold',
      createdAt: '2024-05-06T07:08:09.000Z',
      age: 42,
      vip: false,
    });
    expect(keys.get('byRegion')).toBe('resource=users/partition=byRegion/region=US-East/id=u1');
    expect(keys.get('byTierRegion')).toBe('resource=users/partition=byTierRegion/region=US-East/tier=gold/id=u1');
    expect(keys.get('byDay')).toBe('resource=users/partition=byDay/createdAt=2024-05-06/id=u1');
    expect(keys.get('byPrefix')).toBe('resource=users/partition=byPrefix/region=US/id=u1');
    expect(keys.get('byAgeVip')).toBe('resource=users/partition=byAgeVip/age=42/vip=false/id=u1');
  });

  it('has no entry for a partition whose field is missing or null', () => {
    const keys = partitionReferenceKeys('users', partitions, { id: 'u1', region: null, tier: 'gold' });
    expect([...keys.keys()]).toEqual([]);
  });

  const tricky = [
    'a/b',
    'x=y',
    '../..',
    '..',
    '%2F',
    '%',
    'ok 🦄 é',
    '',
    ' lead',
    'tab\tnl\n',
    '\u0000\u007f',
    '\ud800',
    'a'.repeat(2000),
    '🦄'.repeat(300),
  ];

  it.each(tricky.map((v) => [v]))('round-trips %j exactly and forges no segment', (value) => {
    const key = partitionReferenceKeys('users', partitions, { id: 'u1', region: value, tier: 't' }).get(
      'byTierRegion',
    )!;
    expect(Buffer.byteLength(key)).toBeLessThanOrEqual(1024);
    const segments = key.split('/');
    expect(segments).toHaveLength(5);
    expect(segments.every((s) => s !== '..' && s !== '.')).toBe(true);
    const parsed = parseReferenceKey('users', key)!;
    expect(parsed.partition).toBe('byTierRegion');
    expect(parsed.id).toBe('u1');
    expect(parsed.values.tier).toBe('t');
    if (parsed.truncated) {
      expect(value.startsWith(parsed.values.region!)).toBe(true);
      expect(value.length).toBeGreaterThan(100);
    } else expect(parsed.values.region).toBe(value);
  });

  it('hashes long values deterministically and distinctly', () => {
    const a = encodePartitionValue('x'.repeat(500));
    expect(a).toBe(encodePartitionValue('x'.repeat(500)));
    expect(a).not.toBe(encodePartitionValue('x'.repeat(499)));
    expect(decodePartitionValue(a).truncated).toBe(true);
  });

  it('round-trips any well-formed string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (value) => {
        const decoded = decodePartitionValue(encodePartitionValue(value));
        expect(decoded).toEqual({ value, truncated: false });
        // eslint-disable-next-line no-control-regex
        expect(encodePartitionValue(value)).not.toMatch(/[/=\u0000-\u001f]/);
      }),
    );
  });

  it('builds exact prefixes with a trailing slash', () => {
    expect(partitionPrefix('users', 'byRegion', { region: 'US' })).toBe('resource=users/partition=byRegion/region=US/');
    expect(partitionPrefix('users', 'p', { b: '1', a: 'x/y' })).toBe('resource=users/partition=p/a=x%2Fy/b=1/');
    expect(parseReferenceKey('other', 'resource=users/partition=p/a=1/id=x')).toBeNull();
  });
});
