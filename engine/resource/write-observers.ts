// The observers told about every stored write (`Database.onWrite`), from the plugin-aware and the plugin-free
// view alike; a failing observer is logged and never fails the write.
import type { WriteEvent } from '../pipeline/index.js';
import type { EngineLogger } from '../types.js';

export type WriteObserver = (event: WriteEvent) => void | Promise<void>;

export class WriteObservers {
  private readonly observers: WriteObserver[] = [];

  constructor(private readonly logger: EngineLogger | undefined) {}

  /** Adds an observer; returns the function that removes it. */
  add(observer: WriteObserver): () => void {
    this.observers.push(observer);
    return () => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  /** Awaits every observer in turn; never throws. */
  async notify(event: WriteEvent): Promise<void> {
    for (const observer of this.observers) {
      try {
        await observer(event);
      } catch (e) {
        this.logger?.warn({ resource: event.resource, id: event.id, err: String(e) }, 'write observer failed');
      }
    }
  }
}
