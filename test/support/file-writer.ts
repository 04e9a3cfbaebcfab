// Child process for the file store's cross-process tests: `node --import tsx file-writer.ts ROOT MODE ID GO N`.
// Waits for the GO file (so both writers start together), then:
//   overwrite  N unconditional writes of a 64 KiB body made of ID, metadata naming ID;
//   create     ifNoneMatch '*' on keys create/0..N-1; prints the keys it won as JSON;
//   increment  N read-modify-write increments of counter with ifMatch, retrying on conflict.
import { existsSync } from 'node:fs';
import { ConflictError, FileStore } from '../../engine/index.js';

const [root, mode, id, go, count] = process.argv.slice(2) as [string, string, string, string, string];
const n = Number(count);
const store = new FileStore(root);

const deadline = Date.now() + 20_000;
while (!existsSync(go)) {
  if (Date.now() > deadline) throw new Error('no go signal');
  await new Promise((resolve) => setTimeout(resolve, 2));
}

if (mode === 'overwrite') {
  for (let i = 0; i < n; i++) await store.put('shared', id.repeat(65536), { writer: id, n: String(i) });
} else if (mode === 'create') {
  const won: string[] = [];
  for (let i = 0; i < n; i++) {
    try {
      await store.put(`create/${i}`, id, {}, { ifNoneMatch: '*' });
      won.push(`create/${i}`);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  process.stdout.write(JSON.stringify(won));
} else if (mode === 'increment') {
  for (let i = 0; i < n; i++) {
    for (;;) {
      const cur = await store.get('counter');
      const value = Number(cur?.body.toString() ?? '0') + 1;
      try {
        await store.put('counter', String(value), {}, cur ? { ifMatch: cur.etag } : { ifNoneMatch: '*' });
        break;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
  }
}
