// The consolidated state of one counter (a field of one document): its value, the transactions already folded
// into it, and analytics rows still to be written. One JSON object, replaced only with a conditional write, so
// two consolidators racing never both apply the same transaction: the loser re-reads and finds it applied.
import { ConflictError } from '../../errors.js';
import type { ObjectStore } from '../../storage/index.js';

export interface AnalyticsRow {
  /** `hour` | `day` | `month`. */
  period: string;
  /** The period's start, e.g. `2026-12-01T15`, `2026-12-01`, `2026-12`. */
  bucket: string;
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface CounterState {
  value: number;
  /** Transaction id → when it was applied (ms); kept while the transaction object exists. */
  applied: Record<string, number>;
  /** Analytics rows of consolidation batches not yet confirmed written, by batch id. */
  batches: Record<string, AnalyticsRow[]>;
  consolidatedAt: string | null;
}

export const EMPTY_STATE: CounterState = { value: 0, applied: {}, batches: {}, consolidatedAt: null };

export async function readState(
  store: ObjectStore,
  key: string,
): Promise<{ state: CounterState; etag: string | undefined }> {
  const obj = await store.get(key);
  if (!obj) return { state: structuredClone(EMPTY_STATE), etag: undefined };
  const parsed = JSON.parse(obj.body.toString('utf8')) as Partial<CounterState>;
  return {
    state: {
      value: typeof parsed.value === 'number' ? parsed.value : 0,
      applied: parsed.applied ?? {},
      batches: parsed.batches ?? {},
      consolidatedAt: parsed.consolidatedAt ?? null,
    },
    etag: obj.etag,
  };
}

/** Writes `state` over the version read (`etag`), or creates it; false when another writer got there first. */
export async function writeState(
  store: ObjectStore,
  key: string,
  state: CounterState,
  etag: string | undefined,
): Promise<boolean> {
  try {
    await store.put(
      key,
      JSON.stringify(state),
      {},
      {
        contentType: 'application/json',
        ...(etag === undefined ? { ifNoneMatch: '*' as const } : { ifMatch: etag }),
      },
    );
    return true;
  } catch (e) {
    if (e instanceof ConflictError) return false;
    throw e;
  }
}
