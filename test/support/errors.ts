// Catching the engine error a call must raise, so a test can assert its code, message and hint.
import type { S3dbError } from '../../engine/index.js';

/** The error a promise rejects with; fails the test when it resolves. */
export function rejection(p: Promise<unknown>): Promise<S3dbError> {
  return p.then(
    () => {
      throw new Error('expected an error');
    },
    (e: S3dbError) => e,
  );
}

/** The error a function throws; fails the test when it returns. */
export function thrown(fn: () => unknown): S3dbError {
  try {
    fn();
  } catch (e) {
    return e as S3dbError;
  }
  throw new Error('expected an error');
}
