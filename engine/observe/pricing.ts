// What the requests a store counted cost: the one AWS S3 Standard price table (us-east-1), used by getStats and
// GET /metrics. PUT, COPY, POST and LIST cost $0.005 per 1,000; GET, HEAD and other reads $0.0004; DELETE is
// free. DeleteObjects is a POST, so it is billed at the PUT rate. Transfer out is not counted.
import type { RequestCounts, StoreOperation } from '../storage/index.js';

/**
 * The price table the cost estimate uses: AWS S3 Standard, US East (N. Virginia), from
 * https://aws.amazon.com/s3/pricing/ as listed on 2026-11-28 (first tiers: first 50 TB of storage, first 10 TB of
 * transfer out per month). README "Costs" prints the same table.
 */
export const S3_PRICE_TABLE = {
  source: 'https://aws.amazon.com/s3/pricing/ — S3 Standard, US East (N. Virginia)',
  date: '2026-11-28',
  putCopyPostListPer1000USD: 0.005,
  getHeadOtherPer1000USD: 0.0004,
  deletePer1000USD: 0,
  storagePerGBMonthUSD: 0.023,
  transferOutPerGBUSD: 0.09,
} as const;

/** How each store operation is billed. */
export const REQUEST_TYPES = ['PUT', 'COPY', 'POST', 'LIST', 'GET', 'HEAD', 'DELETE'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const REQUEST_TYPE_OF: Record<StoreOperation, RequestType> = {
  PutObject: 'PUT',
  DeleteObjects: 'POST',
  ListObjectsV2: 'LIST',
  GetObject: 'GET',
  HeadObject: 'HEAD',
  DeleteObject: 'DELETE',
};

export interface CostBreakdownLine {
  type: RequestType;
  requests: number;
  pricePer1000USD: number;
  usd: number;
}

export interface CostEstimate {
  /** Requests made so far, priced: the sum of `byRequestType`. */
  requestsUSD: number;
  byRequestType: CostBreakdownLine[];
  /** Bytes of the documents counted (the data prefixes getStats listed). */
  storedBytes: number;
  /** What keeping those bytes costs per month. */
  storageUSDPerMonth: number;
  /** Bytes read back out are not counted by the stores, so transfer out is not estimated. */
  transferOut: 'not counted';
  pricing: typeof S3_PRICE_TABLE;
}

const GB = 1024 ** 3;
/** Rounded to a billionth of a dollar (below that is float noise). */
const usd = (n: number) => Math.round(n * 1e9) / 1e9;

/** Prices the request counts (by request type) and the stored bytes with S3_PRICE_TABLE. */
export function estimateCosts(requests: RequestCounts, storedBytes: number): CostEstimate {
  const counts = new Map<RequestType, number>(REQUEST_TYPES.map((t) => [t, 0]));
  for (const [op, n] of Object.entries(requests.byOperation)) {
    const type = REQUEST_TYPE_OF[op as StoreOperation] ?? 'GET';
    counts.set(type, (counts.get(type) ?? 0) + n);
  }
  const priceOf = (type: RequestType): number =>
    type === 'DELETE'
      ? S3_PRICE_TABLE.deletePer1000USD
      : type === 'GET' || type === 'HEAD'
        ? S3_PRICE_TABLE.getHeadOtherPer1000USD
        : S3_PRICE_TABLE.putCopyPostListPer1000USD;
  const byRequestType = REQUEST_TYPES.map((type) => {
    const n = counts.get(type) ?? 0;
    return { type, requests: n, pricePer1000USD: priceOf(type), usd: usd((n * priceOf(type)) / 1000) };
  });
  return {
    requestsUSD: usd(byRequestType.reduce((sum, l) => sum + (l.requests * l.pricePer1000USD) / 1000, 0)),
    byRequestType,
    storedBytes,
    storageUSDPerMonth: usd((storedBytes / GB) * S3_PRICE_TABLE.storagePerGBMonthUSD),
    transferOut: 'not counted',
    pricing: S3_PRICE_TABLE,
  };
}
