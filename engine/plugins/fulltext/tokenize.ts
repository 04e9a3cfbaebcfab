// Full-text normalisation: NFKD, accents (combining marks) stripped, lower case, split on anything that is not
// a letter or digit; 1-character and over-64-character tokens and a short English/Portuguese/Spanish stop-word
// list dropped.

export const STOP_WORDS: ReadonlySet<string> = new Set(
  [
    // English
    'an and are as at be by for from has he in is it its of on or that the to was were will with this these',
    'those but not no so',
    // Portuguese / Spanish
    'de da do das dos el la los las em en um uma un una que se por para com con os del al',
  ]
    .join(' ')
    .split(' '),
);

/** Longer tokens (hashes, base64 blobs) are not words and would make over-long object keys: dropped. */
const MAX_TOKEN_CHARS = 64;

/** The index terms of a text, in order, duplicates kept (term frequency counts them). */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const plain = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  for (const token of plain.split(/[^\p{L}\p{N}]+/u)) {
    const chars = [...token].length;
    if (chars < 2 || chars > MAX_TOKEN_CHARS || STOP_WORDS.has(token)) continue;
    out.push(token);
  }
  return out;
}

/** Term → frequency, and the document length in terms, of several texts taken together. */
export function termFrequencies(texts: readonly string[]): { terms: Record<string, number>; length: number } {
  const terms: Record<string, number> = {};
  let length = 0;
  for (const text of texts) {
    for (const t of tokenize(text)) {
      terms[t] = (terms[t] ?? 0) + 1;
      length++;
    }
  }
  return { terms, length };
}
