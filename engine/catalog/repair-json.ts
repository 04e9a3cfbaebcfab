// Best-effort repair of damaged JSON text (s3db.json): syntax slips and truncation, never guesses.

const IDENT = /[A-Za-z0-9_$-]/;

/** Layers 1-4: BOM, single-quoted strings, unquoted keys, trailing commas; all outside double-quoted strings. */
function normalizeSyntax(text: string): string {
  const s = text.replace(/^\uFEFF/, '');
  let out = '';
  let i = 0;
  /** Last significant character written outside a string. */
  let last = '';
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      out += s.slice(i, j + 1);
      i = j + 1;
      last = '"';
      continue;
    }
    if (ch === "'") {
      let j = i + 1;
      let inner = '';
      while (j < s.length && s[j] !== "'") {
        if (s[j] === '\\' && s[j + 1] === "'") {
          inner += "'";
          j += 2;
        } else if (s[j] === '\\') {
          inner += s.slice(j, j + 2);
          j += 2;
        } else {
          inner += s[j] === '"' ? '\\"' : s[j];
          j++;
        }
      }
      out += `"${inner}${j < s.length ? '"' : ''}`;
      i = j + 1;
      last = '"';
      continue;
    }
    if (ch === ',') {
      let j = i + 1;
      while (j < s.length && /\s/.test(s[j]!)) j++;
      if (s[j] === '}' || s[j] === ']') {
        i++;
        continue; // trailing comma
      }
    }
    if ((last === '{' || last === ',') && /[A-Za-z_$]/.test(ch)) {
      let j = i;
      while (j < s.length && IDENT.test(s[j]!)) j++;
      let k = j;
      while (k < s.length && /\s/.test(s[k]!)) k++;
      if (s[k] === ':') {
        out += `"${s.slice(i, j)}"`;
        i = j;
        last = '"';
        continue;
      }
    }
    out += ch;
    if (!/\s/.test(ch)) last = ch;
    i++;
  }
  return out;
}

interface Scan {
  /** Closing brackets still open at the end, innermost last. */
  stack: string[];
  inString: boolean;
  /** Positions of `,`, `{` and `[` outside strings with the stack at that point. */
  cuts: { at: number; ch: string; stack: string[] }[];
}

function scan(s: string): Scan {
  const stack: string[] = [];
  const cuts: Scan['cuts'] = [];
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      stack.push(ch === '{' ? '}' : ']');
      cuts.push({ at: i, ch, stack: [...stack] });
    } else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === ',') cuts.push({ at: i, ch, stack: [...stack] });
  }
  return { stack, inString, cuts };
}

function close(s: string, stack: readonly string[]): string {
  return s.replace(/[\s,]*$/, '') + [...stack].reverse().join('');
}

/** Where JSON.parse gave up: the text's length when it simply ended too early (a truncated file). */
function errorPosition(s: string): number {
  try {
    JSON.parse(s);
    return -1;
  } catch (e) {
    const m = /at position (\d+)/.exec((e as Error).message);
    return m ? Number(m[1]) : s.length;
  }
}

function parses(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * Best-effort repair of damaged JSON, applied in layers and only where the meaning is unambiguous: a byte-order
 * mark, single-quoted strings, unquoted keys, trailing commas, then missing closing brackets. A truncated file is
 * cut back to its last complete member (a half-written string or value is dropped, never completed with guesses).
 * Returns text that may still not parse: the caller then rebuilds from the bucket.
 */
export function repairJson(text: string): string {
  return repairWithTruncation(text).text;
}

/** repairJson, also saying whether the text was truncated (so what followed the cut is unknown). */
export function repairWithTruncation(text: string): { text: string; truncated: boolean } {
  const s = normalizeSyntax(text);
  const failedAt = errorPosition(s);
  // Only a file that is fine up to where it ends is truncated; an error in the middle is not guessed at.
  if (failedAt < 0 || failedAt < s.trimEnd().length) return { text: s, truncated: false };
  return { text: closeTruncated(s), truncated: true };
}

function closeTruncated(s: string): string {
  const { stack, inString, cuts } = scan(s);
  // Closing as-is is safe only when the text ends on a complete value (not a half number or word).
  const tail = s.trimEnd().slice(-1);
  if (!inString && stack.length > 0 && '}]",'.includes(tail) && parses(close(s, stack))) return close(s, stack);
  for (let n = cuts.length - 1, tries = 0; n >= 0 && tries < 500; n--, tries++) {
    const cut = cuts[n]!;
    const head = cut.ch === ',' ? s.slice(0, cut.at) : s.slice(0, cut.at + 1);
    const candidate = close(head, cut.stack);
    if (parses(candidate)) return candidate;
  }
  return s;
}
