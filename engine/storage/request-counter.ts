// Counts requests by S3 operation, for getStats, cost estimates and the benchmark's requests-per-operation.
import { STORE_OPERATIONS, type RequestCounts, type StoreOperation } from './object-store.js';

export class RequestCounter {
  private counts = RequestCounter.zero();

  private static zero(): Record<StoreOperation, number> {
    return Object.fromEntries(STORE_OPERATIONS.map((op) => [op, 0])) as Record<StoreOperation, number>;
  }

  count(op: StoreOperation, n = 1): void {
    this.counts[op] += n;
  }

  snapshot(): RequestCounts {
    const byOperation = { ...this.counts };
    const total = Object.values(byOperation).reduce((sum, n) => sum + n, 0);
    return { byOperation, total };
  }

  reset(): void {
    this.counts = RequestCounter.zero();
  }
}
