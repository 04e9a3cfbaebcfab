// The one concurrency limiter of the engine: p-queue, wrapped for the common "map with at most N in flight".
import PQueue from 'p-queue';

/** Runs `fn` over `items` with at most `concurrency` in flight; results keep the order of `items`. */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const queue = new PQueue({ concurrency: Math.max(1, concurrency) });
  return queue.addAll(items.map((item, index) => () => fn(item, index)));
}
