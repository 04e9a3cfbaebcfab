// Deliveries waiting to run, one job per document: writes to a document while its delivery runs are coalesced
// into one more delivery (state-based, so the last one carries every change), at most `concurrency` documents at
// once, and a failed delivery is retried with exponential backoff (with jitter) until it succeeds.
export interface DeliveryJob {
  readonly resource: string;
  readonly id: string;
  /** Outbox entry keys this job's next successful delivery settles. */
  readonly entries: Set<string>;
  attempt: number;
}

interface JobState extends DeliveryJob {
  running: boolean;
  queued: boolean;
  again: boolean;
  timer: NodeJS.Timeout | undefined;
  waiters: (() => void)[];
}

export interface QueueOptions {
  concurrency: number;
  retryMs: number;
  maxRetryMs: number;
  /** Runs one delivery; settles `entries` (a snapshot) on success, throws on failure. */
  run(job: DeliveryJob, entries: string[]): Promise<void>;
}

export class DeliveryQueue {
  private readonly jobs = new Map<string, JobState>();
  private readonly ready: JobState[] = [];
  private active = 0;
  private idle: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: QueueOptions) {}

  /** Documents with a delivery queued, running or waiting for a retry. */
  get size(): number {
    return this.jobs.size;
  }

  /** Documents currently retrying after a failure. */
  get retrying(): number {
    let n = 0;
    for (const j of this.jobs.values()) if (j.timer) n++;
    return n;
  }

  has(resource: string, id: string): boolean {
    return this.jobs.has(`${resource}\u0000${id}`);
  }

  /** Queues a delivery of `resource/id` (settling `entry` when given); resolves after its next attempt. */
  schedule(resource: string, id: string, entry?: string): Promise<void> {
    const k = `${resource}\u0000${id}`;
    let job = this.jobs.get(k);
    if (!job) {
      job = {
        resource,
        id,
        entries: new Set(),
        attempt: 0,
        running: false,
        queued: false,
        again: false,
        timer: undefined,
        waiters: [],
      };
      this.jobs.set(k, job);
    }
    if (entry !== undefined) job.entries.add(entry);
    const settled = new Promise<void>((resolve) => (job as JobState).waiters.push(resolve));
    if (job.running) job.again = true;
    else if (!job.timer) this.enqueue(job);
    return settled;
  }

  /** Resolves when nothing is queued or running (jobs waiting for a retry timer do not count). */
  whenIdle(): Promise<void> {
    if (this.active === 0 && this.ready.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Runs every job waiting for a retry now (a target came back). */
  retryNow(): void {
    for (const job of this.jobs.values()) {
      if (!job.timer) continue;
      clearTimeout(job.timer);
      job.timer = undefined;
      this.enqueue(job);
    }
  }

  close(): void {
    this.closed = true;
    for (const job of this.jobs.values()) if (job.timer) clearTimeout(job.timer);
    this.ready.length = 0;
  }

  private enqueue(job: JobState): void {
    if (job.queued || this.closed) return;
    job.queued = true;
    this.ready.push(job);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.ready.length > 0) {
      const job = this.ready.shift() as JobState;
      job.queued = false;
      this.active++;
      void this.runJob(job);
    }
    if (this.active === 0 && this.ready.length === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  private async runJob(job: JobState): Promise<void> {
    job.running = true;
    job.again = false;
    const entries = [...job.entries];
    const waiters = job.waiters.splice(0);
    try {
      await this.options.run(job, entries);
      for (const e of entries) job.entries.delete(e);
      job.attempt = 0;
    } catch {
      job.attempt++;
      if (!this.closed && !job.again) {
        const base = Math.min(this.options.maxRetryMs, this.options.retryMs * 2 ** (job.attempt - 1));
        job.timer = setTimeout(
          () => {
            job.timer = undefined;
            this.enqueue(job);
          },
          base / 2 + Math.random() * (base / 2),
        );
        job.timer.unref();
      }
    } finally {
      job.running = false;
      for (const resolve of waiters) resolve();
      if (job.again) this.enqueue(job);
      else if (!job.timer && job.entries.size === 0) this.jobs.delete(`${job.resource}\u0000${job.id}`);
      this.active--;
      this.pump();
    }
  }
}
