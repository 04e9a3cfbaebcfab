// The one concurrency limiter of the engine: p-queue, wrapped for the common "map with at most N in flight".
import PQueue from 'p-queue';
import { throwIfCancelled } from '../errors.js';

/**
 * Runs `fn` over `items` with at most `concurrency` in flight; results keep the order of `items`. Once `signal`
 * fires no further item starts (those in flight finish) and the whole map rejects with CancelledError.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const queue = new PQueue({ concurrency: Math.max(1, concurrency) });
  return queue.addAll(
    items.map((item, index) => () => {
      throwIfCancelled(signal);
      return fn(item, index);
    }),
  );
}
