// Where everything a command says goes. For people (a TTY, no --json): tables, colour, spinners on stderr.
// For scripts (not a TTY, or --json): only JSON / NDJSON on stdout, nothing decorative; messages on stderr.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ora, { type Ora } from 'ora';
import pc from 'picocolors';
import { cellText, renderTable } from './table.js';

export type Colors = ReturnType<typeof pc.createColors>;

/** A terminal stream as node gives it (isTTY and columns are only set on a TTY). */
export type TermStream = Writable & { isTTY?: boolean; columns?: number };

export interface OutputOptions {
  stdout: TermStream;
  stderr: TermStream;
  env: Readonly<Record<string, string | undefined>>;
  /** --json: machine output even on a terminal. */
  json?: boolean;
  /** --no-color. */
  color?: boolean;
}

export class Output {
  /** Scripts' mode: JSON on stdout only. */
  readonly json: boolean;
  /** --json was given (not only implied by a pipe): no spinner even on a terminal's stderr. */
  readonly explicitJson: boolean;
  readonly c: Colors;
  readonly stdout: TermStream;
  readonly stderr: TermStream;
  private readonly stderrColors: Colors;

  constructor(options: OutputOptions) {
    this.stdout = options.stdout;
    this.stderr = options.stderr;
    this.explicitJson = options.json === true;
    this.json = this.explicitJson || options.stdout.isTTY !== true;
    // NO_COLOR (any non-empty value, no-color.org) and --no-color win; colour only ever goes to a terminal.
    const allowed = options.color !== false && (options.env.NO_COLOR ?? '') === '';
    this.c = pc.createColors(allowed && !this.json && options.stdout.isTTY === true);
    this.stderrColors = pc.createColors(allowed && options.stderr.isTTY === true);
  }

  /** Terminal width for tables (80 when unknown). */
  get width(): number {
    return this.stdout.columns || 80;
  }

  /** A value for scripts: one line of JSON on stdout. */
  data(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** One NDJSON line, waiting when stdout is full so a long stream stays within bounded memory. */
  async ndjson(value: unknown): Promise<void> {
    if (!this.stdout.write(`${JSON.stringify(value)}\n`)) await once(this.stdout, 'drain');
  }

  /** Text for people on stdout (human mode only; callers print data() in JSON mode). */
  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** A message to the user on stderr, in both modes. */
  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.note(this.stderrColors.yellow(text));
  }

  error(code: string, message: string, hint?: string): void {
    const e = this.stderrColors;
    this.note(`${e.red(e.bold('error'))} ${e.dim(`[${code}]`)} ${message}`);
    if (hint !== undefined) this.note(`${e.cyan('hint')} ${hint}`);
  }

  /** A table of rows (values made one-line) that fits the terminal; says which columns were left out. */
  table(head: readonly string[], rows: readonly (readonly unknown[])[]): void {
    const cells = rows.map((r) => r.map(cellText));
    const { text, dropped } = renderTable(head, cells, this.width, (h) => this.c.bold(this.c.cyan(h)));
    this.line(text);
    if (dropped.length > 0) {
      this.line(this.c.dim(`(${dropped.length} more column(s): ${dropped.join(', ')}; use --fields or --json)`));
    }
  }

  /** Key/value pairs, aligned. */
  pairs(entries: readonly (readonly [string, unknown])[]): void {
    const w = Math.max(0, ...entries.map(([k]) => k.length));
    for (const [k, v] of entries) this.line(`${this.c.dim(k.padEnd(w))}  ${cellText(v)}`);
  }

  /**
   * Whether a spinner may draw: only on a terminal's stderr, never with --json, and not while data streams to
   * the same terminal (`s3db export users > file` from a terminal does show its progress).
   */
  spinnerEnabled(streamsToStdout = false): boolean {
    // A terminal that reports 0 columns (a pty nobody sized) would make ora clear lines forever.
    const sized = (this.stderr.columns ?? 0) > 0;
    return (
      this.stderr.isTTY === true && sized && !this.explicitJson && !(streamsToStdout && this.stdout.isTTY === true)
    );
  }

  /** A spinner on stderr for people (see spinnerEnabled); a silent one otherwise. */
  spinner(text: string, streamsToStdout = false): Ora {
    return ora({
      text,
      stream: this.stderr as NodeJS.WritableStream,
      isEnabled: this.spinnerEnabled(streamsToStdout),
      // A disabled ora still prints its text once; scripts get nothing decorative.
      isSilent: !this.spinnerEnabled(streamsToStdout),
      // import reads stdin: the spinner must not grab it.
      discardStdin: false,
      color: 'cyan',
    });
  }
}
