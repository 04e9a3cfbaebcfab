// Dates are checked, not rolled over: `new Date('2024-02-30')` is March 1st, which no caller meant.

const ISO_PARTS = /^([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?/;

/**
 * Why an ISO-looking date names a day or time that does not exist (`2024-02-30`, `2023-02-29`, `25:00`), or
 * undefined. `new Date` rolls such dates over (2024-02-30 becomes March 1st); a database must refuse them.
 */
export function impossibleDate(text: string): string | undefined {
  const m = ISO_PARTS.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m
    .slice(1)
    .map((p) => (p === undefined ? undefined : Number(p)));
  if (month! < 1 || month! > 12) return `month ${month} does not exist`;
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
  const last = new Date(0);
  last.setUTCFullYear(year!, month!, 0);
  const days = last.getUTCDate();
  if (day! < 1 || day! > days) return `day ${day} does not exist in ${m[1]}-${m[2]} (${days} days)`;
  if (hour > 23 || minute > 59 || second > 59) return `time ${m[4]}:${m[5]}${m[6] ? `:${m[6]}` : ''} does not exist`;
  return undefined;
}
