// The ordered revision of each document. The engine's own write revision (`_r` in the body) is random, so it
// tells writes apart but not which came later. The replicator keeps, per document, a small JSON object
// `plugin=replicator/revisions/resource=R/id=ID` = `{ etag, revision }`: the bucket ETag it last numbered and its
// number. Numbering a state reuses the number when the ETag is the same, else writes revision + 1 with a
// conditional PUT (ifMatch / ifNoneMatch), so numbers are unique and increase in the order the numbering
// happened, across processes. The replicator reads the data object's ETag before numbering and checks it is still
// current afterwards, so a state is only ever numbered after every older state was, and a number never goes
// to an older state than one that already got a smaller number (docs/replication.md, "Revisions").
import { ConflictError } from '../../errors.js';
import { replicatorRevisionKey } from '../../keys.js';
import type { ObjectStore } from '../../storage/index.js';

/** The ETag a deleted (absent) document is numbered under. */
export const ABSENT = '-';

interface RevisionRecord {
  etag: string;
  revision: number;
}

export class RevisionClock {
  constructor(
    private readonly store: ObjectStore,
    private readonly prefix: string,
  ) {}

  /** The current record of a document, with the ETag of the record object itself. */
  async read(resource: string, id: string): Promise<{ record: RevisionRecord; objectEtag: string } | null> {
    const obj = await this.store.get(replicatorRevisionKey(resource, id, this.prefix));
    if (!obj) return null;
    try {
      const parsed = JSON.parse(obj.body.toString('utf8')) as Partial<RevisionRecord>;
      if (typeof parsed.etag === 'string' && Number.isSafeInteger(parsed.revision)) {
        return { record: { etag: parsed.etag, revision: parsed.revision as number }, objectEtag: obj.etag };
      }
    } catch {
      // an unreadable record is replaced below, numbering from 0 again would regress: keep the etag check
    }
    return { record: { etag: '', revision: 0 }, objectEtag: obj.etag };
  }

  /**
   * The revision of the document state whose ETag is `etag` (ABSENT for a deleted document): reused when that
   * state is already numbered, else the next number. Returns 0 for an absent document never numbered (nothing
   * was ever replicated, nothing to delete).
   */
  async number(resource: string, id: string, etag: string): Promise<number> {
    const key = replicatorRevisionKey(resource, id, this.prefix);
    for (let attempt = 0; attempt < 50; attempt++) {
      const cur = await this.read(resource, id);
      if (cur && cur.record.etag === etag) return cur.record.revision;
      if (!cur && etag === ABSENT) return 0;
      const next: RevisionRecord = { etag, revision: (cur?.record.revision ?? 0) + 1 };
      try {
        await this.store.put(
          key,
          JSON.stringify(next),
          {},
          cur ? { ifMatch: cur.objectEtag, contentType: 'application/json' } : { ifNoneMatch: '*' },
        );
        return next.revision;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 5 * 2 ** attempt)));
      }
    }
    throw new ConflictError(`The replication revision of "${resource}/${id}" kept changing`, {
      details: { resource, id },
      hint: 'Many processes are replicating this document at once; the outbox retries it.',
      retryable: true,
    });
  }
}
