// Tables that fit the terminal: cli-table3 draws them, fitColumns decides the widths (drop columns on the right
// when even the narrowest widths overflow, then narrow the widest column first), cells are one line each.
import Table from 'cli-table3';

/** cli-table3 draws one border character before each column and one after the last. */
const BORDERS = 1;
/** Width of a column's padding (one space each side). */
const PADDING = 2;
export const MIN_COLUMN = 6;

/**
 * Widths (padding included) for columns whose content wants `natural` characters, in at most `total` terminal
 * columns: every width ≥ min(natural + padding, MIN_COLUMN) and the sum of widths plus borders ≤ total, with as
 * many leading columns kept as fit. Returns the kept widths (fewer than asked when some had to go).
 */
export function fitColumns(natural: readonly number[], total: number): number[] {
  const wants = natural.map((n) => Math.max(1, n) + PADDING);
  const floor = wants.map((w) => Math.min(w, MIN_COLUMN));
  let kept = wants.length;
  const room = (k: number) => total - (k + BORDERS);
  while (kept > 1 && floor.slice(0, kept).reduce((a, b) => a + b, 0) > room(kept)) kept--;
  const widths = wants.slice(0, kept);
  let excess = widths.reduce((a, b) => a + b, 0) - room(kept);
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if (
        (widths[i] as number) > (floor[i] as number) &&
        (widest < 0 || (widths[i] as number) > (widths[widest] as number))
      ) {
        widest = i;
      }
    }
    if (widest < 0) break; // one column narrower than the terminal allows: the terminal wraps it
    widths[widest] = (widths[widest] as number) - 1;
    excess--;
  }
  return widths;
}

/** One printable line for a cell: strings as they are, the rest as compact JSON, control characters shown. */
export function cellText(value: unknown): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  // A control character in a cell would move the cursor or recolour the terminal: show it as a dot.
  // eslint-disable-next-line no-control-regex
  return (text ?? String(value)).replace(/\r?\n/g, '⏎').replace(/[\u0000-\u001f\u007f]/g, '·');
}

export interface RenderedTable {
  text: string;
  /** Columns left out because the terminal is too narrow. */
  dropped: string[];
}

/** Renders rows under a header at most `width` columns wide; `style` colours the header (or not). */
export function renderTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  width: number,
  style: (header: string) => string = (h) => h,
): RenderedTable {
  const natural = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const widths = fitColumns(natural, width);
  const table = new Table({
    head: head.slice(0, widths.length).map(style),
    colWidths: widths,
    wordWrap: false,
    truncate: '…',
    style: { head: [], border: [] },
    // No rule between rows: more rows on a screen.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows) table.push(row.slice(0, widths.length).map((c) => c));
  return { text: table.toString(), dropped: head.slice(widths.length) };
}
