// The full-text plugin: BM25 relevance order on a small corpus, accent- and case-insensitive matching, updates and deletes reflected at once, a second Database on the same bucket finding the documents, concurrent writers on two servers losing none, and rebuild restoring a damaged index.
import { afterAll, describe, expect, it } from 'vitest';
import { Database, FullTextPlugin, ValidationError, type ObjectStore } from '../../engine/index.js';
import { tokenize } from '../../engine/internal.js';
import { testStores } from '../support/stores.js';

const stores = testStores().filter((s) => s.name !== 'file');

const CORPUS = [
  { id: 'a1', title: 'Cooking pasta', body: 'Pasta pasta pasta: boil water, add salt, cook the pasta.' },
  { id: 'a2', title: 'Garden notes', body: 'Tomatoes grow well next to basil. A pasta sauce needs tomatoes.' },
  { id: 'a3', title: 'Café culture in São Paulo', body: 'Coffee shops and cafés everywhere.' },
  { id: 'a4', title: 'Unrelated', body: 'Nothing to see here about databases and buckets.' },
];

describe('tokenize', () => {
  it('lower-cases, strips accents, splits on non-letters, drops short tokens and stop words', () => {
    expect(tokenize('Café AU LAIT, São-Paulo! The x 42 naïve')).toEqual([
      'cafe',
      'au',
      'lait',
      'sao',
      'paulo',
      '42',
      'naive',
    ]);
  });
});

for (const s of stores) {
  describe.skipIf(s.skipped !== undefined)(`full-text plugin (${s.name})`, () => {
    afterAll(() => s.cleanup?.());

    const open = async (store: ObjectStore) => {
      const fulltext = new FullTextPlugin({ resources: { articles: ['title', 'body'] } });
      const db = new Database({ store, plugins: [fulltext] });
      await db.connect();
      await db.createResource({
        name: 'articles',
        attributes: { title: 'string', body: 'string', token: 'secret|optional' },
      });
      return { db, fulltext, articles: db.resource('articles') };
    };

    it('ranks by relevance, ignores case and accents, follows updates and deletes, and is shared by a second Database', async () => {
      const store = await s.create();
      const { db, fulltext, articles } = await open(store);
      for (const doc of CORPUS) await articles.insert(doc);

      const pasta = await fulltext.search('articles', 'PASTA');
      expect(pasta.hits.map((h) => h.id)).toEqual(['a1', 'a2']); // a1 says pasta five times
      expect(pasta.hits[0]!.score).toBeGreaterThan(pasta.hits[1]!.score);
      expect(pasta.hits[0]!.record).toMatchObject({ id: 'a1', title: 'Cooking pasta' });

      const accents = await fulltext.search('articles', 'cafe sao paulo');
      expect(accents.terms).toEqual(['cafe', 'sao', 'paulo']);
      expect(accents.hits.map((h) => h.id)).toEqual(['a3']);
      expect((await fulltext.search('articles', 'CAFÉS')).hits.map((h) => h.id)).toEqual(['a3']);
      // More matched terms rank higher (OR semantics, BM25 sum).
      expect((await fulltext.search('articles', 'tomatoes pasta')).hits[0]!.id).toBe('a2');

      await articles.update('a4', { body: 'Now about pasta as well' });
      expect((await fulltext.search('articles', 'pasta')).hits.map((h) => h.id).sort()).toEqual(['a1', 'a2', 'a4']);
      expect((await fulltext.search('articles', 'databases')).hits).toEqual([]);
      await articles.delete('a1');
      expect((await fulltext.search('articles', 'pasta')).hits.map((h) => h.id).sort()).toEqual(['a2', 'a4']);

      // A second server on the same bucket: the index is in the bucket, and its writes show to the first.
      const other = await open(store);
      expect((await other.fulltext.search('articles', 'pasta')).hits.map((h) => h.id).sort()).toEqual(['a2', 'a4']);
      await other.articles.insert({ id: 'b1', title: 'Pasta again', body: 'pasta' });
      expect((await fulltext.search('articles', 'pasta', { limit: 1 })).hits.map((h) => h.id)).toEqual(['b1']);
      expect((await fulltext.search('articles', 'pasta', { limit: 1 })).total).toBe(3);
      // Concurrent writers on both servers: every document indexed, none lost (no shared object is rewritten).
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 === 0 ? articles : other.articles).insert({ id: `c${i}`, title: 'Concurrent zebra', body: `n${i}` }),
        ),
      );
      const zebra = await other.fulltext.search('articles', 'zebra', { limit: 100, fetch: false });
      expect(zebra.hits.map((h) => h.id).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `c${i}`).sort());
      await other.db.close();
      await db.close();
    });

    it('rebuild restores a wiped index; unindexed resources are a clear error', async () => {
      const store = await s.create();
      const { db, fulltext, articles } = await open(store);
      for (const doc of CORPUS) await articles.insert(doc);
      const keys = (await store.list({ prefix: fulltext.prefix })).objects.map((o) => o.key);
      expect(keys.length).toBeGreaterThan(CORPUS.length);
      await store.deleteMany(keys);
      expect((await fulltext.search('articles', 'pasta')).hits).toEqual([]);
      const report = await fulltext.rebuild('articles');
      expect(report).toMatchObject({ resource: 'articles', documents: 4, removedObjects: 0 });
      expect((await fulltext.search('articles', 'pasta')).hits.map((h) => h.id)).toEqual(['a1', 'a2']);
      await expect(fulltext.search('users', 'x')).rejects.toBeInstanceOf(ValidationError);
      expect(db.describeResource('articles').plugins).toEqual(['FullTextPlugin']);
      await db.close();
    });
  });
}
