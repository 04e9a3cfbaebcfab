// Progress of long work (import, export, count over a scan): counts, rate and ETA in a spinner line on stderr.
import type { Ora } from 'ora';
import type { Output } from './output.js';

/** "12s", "3m05s", "1h02m": short enough for one terminal line. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const number = new Intl.NumberFormat('en-US');

export class Progress {
  private readonly spinner: Ora;
  private readonly started = Date.now();
  private done = 0;
  private last = 0;

  /** `total` in items, or a function giving the fraction done (e.g. bytes read of a file), or neither. */
  constructor(
    private readonly out: Output,
    private readonly label: string,
    private readonly total?: number | (() => number | undefined),
    streamsToStdout = false,
  ) {
    this.spinner = out.spinner(label, streamsToStdout).start();
  }

  get count(): number {
    return this.done;
  }

  tick(n = 1): void {
    this.done += n;
    const now = Date.now();
    // Repainting on every item would cost more than the work on a fast store.
    if (now - this.last < 100) return;
    this.last = now;
    this.spinner.text = this.text(now);
  }

  text(now = Date.now()): string {
    const elapsed = Math.max(1, now - this.started);
    const rate = (this.done * 1000) / elapsed;
    const parts = [`${this.label} ${number.format(this.done)}`];
    const fraction =
      typeof this.total === 'number' ? (this.total > 0 ? this.done / this.total : undefined) : this.total?.();
    if (typeof this.total === 'number') parts[0] += `/${number.format(this.total)}`;
    parts.push(`${number.format(Math.round(rate))}/s`);
    if (fraction !== undefined && fraction > 0 && fraction <= 1) {
      parts.push(`${Math.floor(fraction * 100)}%`, `ETA ${formatDuration((elapsed / fraction) * (1 - fraction))}`);
    }
    return parts.join(' · ');
  }

  /** The summary line: ✔ on a terminal, a plain message on stderr otherwise. */
  succeed(text: string): void {
    const line = `${text} in ${formatDuration(Date.now() - this.started)}`;
    if (this.spinner.isEnabled) this.spinner.succeed(line);
    else this.out.note(line);
  }

  fail(): void {
    this.spinner.stop();
  }
}
