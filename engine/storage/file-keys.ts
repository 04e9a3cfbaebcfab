// How the file store lays keys out on disk: one directory per '/'-separated segment, each name escaped.
// Encoded chunk length per path component; with the type letter this stays far below the 255-byte name limit.
const CHUNK_CHARS = 200;

// Each '/'-separated segment becomes path components named TYPE + escaped text: 'o' the object file (last
// segment), 'd' a directory (a segment followed by '/'), 'c' a continuation of a segment too long for one name.
// Escaping keeps [a-z0-9-_.=,@+~] as is, writes upper-case letters as '^' + lower case (case-insensitive file
// systems stay correct) and every other byte as %XX. A leading type letter means no name is empty, '.' or '..'.

const SAFE = /^[a-z0-9\-_.=,@+~]$/;

function escapeUnits(segment: string): string[] {
  const units: string[] = [];
  for (const ch of segment) {
    if (SAFE.test(ch)) units.push(ch);
    else if (ch >= 'A' && ch <= 'Z') units.push(`^${ch.toLowerCase()}`);
    else {
      let u = '';
      for (const b of Buffer.from(ch, 'utf8')) u += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
      units.push(u);
    }
  }
  return units;
}

/** Path components for a key (exported for tests). */
export function encodeKey(key: string): string[] {
  const segments = key.split('/');
  const parts: string[] = [];
  segments.forEach((segment, i) => {
    const chunks: string[] = [];
    let current = '';
    for (const unit of escapeUnits(segment)) {
      if (current.length + unit.length > CHUNK_CHARS) {
        chunks.push(current);
        current = '';
      }
      current += unit;
    }
    chunks.push(current);
    const last = i === segments.length - 1 ? 'o' : 'd';
    chunks.forEach((chunk, j) => parts.push((j === chunks.length - 1 ? last : 'c') + chunk));
  });
  return parts;
}

export function decodeName(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '%') {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (ch === '^') {
      bytes.push(text.charCodeAt(i + 1) - 32);
      i += 1;
    } else bytes.push(ch.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The key a path (relative to the root, components as from encodeKey) holds (exported for tests). */
export function decodeKey(parts: readonly string[]): string {
  return parts.map((p) => decodeName(p.slice(1)) + (p[0] === 'd' ? '/' : '')).join('');
}
