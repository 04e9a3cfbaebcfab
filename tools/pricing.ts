// AWS S3 Standard request prices (us-east-1, USD per 1,000 requests), the one table getStats estimates cost from.
// PUT, COPY, POST and LIST cost $0.005; GET, HEAD and other reads $0.0004; DELETE requests are free.
// DeleteObjects is a POST, so it is billed at the PUT rate. Storage and transfer are not included.
import type { RequestCounts, StoreOperation } from '../engine/index.js';

export const S3_REQUEST_PRICES_PER_1000_USD: Record<StoreOperation, number> = {
  PutObject: 0.005,
  CopyObject: 0.005,
  ListObjectsV2: 0.005,
  DeleteObjects: 0.005,
  GetObject: 0.0004,
  HeadObject: 0.0004,
  DeleteObject: 0,
};

/** Price for operations this table does not name (treated as reads). */
export const OTHER_REQUEST_PRICE_PER_1000_USD = 0.0004;

/** The request cost of these counts, rounded to a millionth of a dollar. */
export function estimateRequestCostUSD(requests: RequestCounts): number {
  let total = 0;
  for (const [op, n] of Object.entries(requests.byOperation)) {
    const price = S3_REQUEST_PRICES_PER_1000_USD[op as StoreOperation] ?? OTHER_REQUEST_PRICE_PER_1000_USD;
    total += (n * price) / 1000;
  }
  return Math.round(total * 1e6) / 1e6;
}
