// The attribute DSL: every type and rule compiles, bad definitions name their path, bad documents name every field.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../engine/errors.js';
import { thrown } from '../support/errors.js';
import { compileSchema, fieldTypes, secretPaths, validateDocument } from '../../engine/schema/index.js';

const ctx = { resource: 'users' };

function issues(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).issues;
  }
  throw new Error('expected a ValidationError');
}

describe('schema DSL', () => {
  const schema = compileSchema(
    {
      name: 'string|required|min:2|max:10',
      email: 'string|email',
      age: 'number|integer|min:0|max:150',
      score: 'number|default:1.5',
      active: 'boolean|default:true',
      born: 'date',
      tags: 'array|items:string',
      nums: 'array|items:number|max:3',
      meta: 'object',
      profile: { city: 'string', zip: 'string|required' },
      address: { type: 'object', props: { street: 'string' } },
      token: 'secret',
      blob: 'json',
      whatever: 'any',
      status: 'enum|values:a,b,c|default:a',
      ref: 'uuid',
      site: 'url',
      contact: 'email',
      label: 'string|default:x',
    },
    { timestamps: true },
  );

  it('applies typed defaults and normalises dates', () => {
    const doc = validateDocument(schema, { id: '1', name: 'Ann', born: new Date(0), profile: { zip: '1' } }, ctx);
    expect(doc).toMatchObject({ score: 1.5, active: true, status: 'a', label: 'x', born: '1970-01-01T00:00:00.000Z' });
    expect(validateDocument(schema, { id: '1', name: 'Ann', born: '2024-01-02' }, ctx).born).toBe(
      '2024-01-02T00:00:00.000Z',
    );
  });

  it('accepts every type', () => {
    const doc = {
      id: 'x',
      name: 'Bob',
      email: 'a@b.co',
      age: 3,
      tags: ['a'],
      nums: [1, 2],
      meta: { any: [1] },
      profile: { zip: '9' },
      address: { street: 's' },
      token: 'secret',
      blob: { a: 1 },
      whatever: 3,
      status: 'b',
      ref: '123e4567-e89b-12d3-a456-426614174000',
      site: 'https://x.org',
      contact: 'c@d.io',
      createdAt: '2020-01-01T00:00:00.000Z',
      neg: undefined,
    };
    const { neg: _neg, ...rest } = doc;
    expect(validateDocument(schema, doc, ctx)).toMatchObject(rest);
    expect(validateDocument(schema, doc, ctx)).not.toHaveProperty('neg');
    expect(validateDocument(schema, { id: 'x', name: 'Bob', age: -0, email: null }, ctx)).toMatchObject({
      age: 0,
      email: null,
    });
  });

  it('names every failing field in one error, unknown fields included', () => {
    const found = issues(() =>
      validateDocument(
        schema,
        {
          id: '1',
          name: 'A',
          email: 'nope',
          age: 1.5,
          tags: [1],
          profile: {},
          bogus: 1,
          born: 'never',
          nums: [1, 2, 3, 4],
        },
        ctx,
      ),
    );
    const paths = found.map((i) => i.path).sort();
    expect(paths).toEqual(['age', 'bogus', 'born', 'email', 'name', 'nums', 'profile.zip', 'tags.0']);
    expect(found.find((i) => i.path === 'bogus')?.message).toMatch(/known attributes: .*name/);
  });

  it('rejects NaN, Infinity and lone surrogates', () => {
    expect(issues(() => validateDocument(schema, { id: '1', name: 'Ann', age: Number.NaN }, ctx))[0]?.path).toBe('age');
    expect(issues(() => validateDocument(schema, { id: '1', name: 'Ann', score: Infinity }, ctx))[0]?.path).toBe(
      'score',
    );
    expect(issues(() => validateDocument(schema, { id: '1', name: 'A\ud800b' }, ctx))[0]?.message).toMatch(
      /well-formed/,
    );
    expect(issues(() => validateDocument(schema, { id: '1', name: 'Ann', blob: 10n }, ctx))[0]?.path).toBe('blob');
  });

  it('rejects unknown types and rules with the dotted path and the known list', () => {
    expect(() => compileSchema({ a: { b: 'strng' } })).toThrow(/Attribute "a.b": unknown type "strng"/);
    const err = issues(() => compileSchema({ a: { b: 'string|lenght:3' } }));
    expect(err[0]?.path).toBe('a.b');
    const bogus = thrown(() => compileSchema({ x: 'string|bogus' }));
    expect(bogus).toBeInstanceOf(ValidationError);
    expect(bogus.hint).toMatch(/required, optional, min/);
    expect(() => compileSchema({ n: 'number|min:x' })).toThrow(/min/);
    expect(() => compileSchema({ n: 'enum' })).toThrow(/values/);
    expect(() => compileSchema({ n: 'string|items:string' })).toThrow(/items/);
    expect(() => compileSchema({ n: 'number|default:abc' })).toThrow(/default/);
    expect(() => compileSchema({ n: 'boolean|default:maybe' })).toThrow(/default/);
    expect(() => compileSchema({ n: 'array|default:[' })).toThrow(/default/);
    expect(() => compileSchema({ n: 'date|default:never' })).toThrow(/default/);
    expect(() => compileSchema({ id: 'string' })).toThrow(/system field/);
    expect(() => compileSchema({ 'a b': 'string' })).toThrow(/names/);
    expect(() => compileSchema({ a: 5 as never })).toThrow(/rule string/);
    expect(() => compileSchema(null as never)).toThrow(/attributes/);
  });

  it('parses typed defaults', () => {
    const s = compileSchema({
      a: 'array|default:[1]',
      j: 'json|default:plain',
      d: 'date|default:2020-01-01',
      o: 'object|default:{"x":1}',
    });
    expect(validateDocument(s, { id: '1' }, ctx)).toEqual({
      id: '1',
      a: [1],
      j: 'plain',
      d: '2020-01-01T00:00:00.000Z',
      o: { x: 1 },
    });
  });

  it('reports field types and secret paths', () => {
    const attrs = { a: 'string', s: 'secret', p: { q: 'secret', r: 'number' } };
    expect(fieldTypes(attrs)).toEqual({ a: 'string', s: 'secret', p: 'object', 'p.q': 'secret', 'p.r': 'number' });
    expect(secretPaths(attrs)).toEqual(['s', 'p.q']);
    expect(compileSchema(attrs).leafPaths).toEqual(['a', 's', 'p.q', 'p.r']);
  });
});
