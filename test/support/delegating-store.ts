// An ObjectStore that hands every call to another: test wrappers (recording, fault injection) extend it and
// override only the calls they watch.
import type { ObjectStore } from '../../engine/index.js';

export class DelegatingStore implements ObjectStore {
  constructor(protected readonly inner: ObjectStore) {}

  get kind(): ObjectStore['kind'] {
    return this.inner.kind;
  }
  get description(): string {
    return this.inner.description;
  }
  get(...args: Parameters<ObjectStore['get']>): ReturnType<ObjectStore['get']> {
    return this.inner.get(...args);
  }
  head(...args: Parameters<ObjectStore['head']>): ReturnType<ObjectStore['head']> {
    return this.inner.head(...args);
  }
  list(...args: Parameters<ObjectStore['list']>): ReturnType<ObjectStore['list']> {
    return this.inner.list(...args);
  }
  put(...args: Parameters<ObjectStore['put']>): ReturnType<ObjectStore['put']> {
    return this.inner.put(...args);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  deleteMany(keys: string[]): ReturnType<ObjectStore['deleteMany']> {
    return this.inner.deleteMany(keys);
  }
  requestCounts(): ReturnType<ObjectStore['requestCounts']> {
    return this.inner.requestCounts();
  }
  resetRequestCounts(): void {
    this.inner.resetRequestCounts();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
