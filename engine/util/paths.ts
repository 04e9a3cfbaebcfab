// Dotted paths (`address.city`) into plain objects: the one helper for reading, writing and removing them.
// Only own properties are walked, so `__proto__` or `constructor` are names, never prototypes.

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * The value at a dotted path, or undefined when any step is missing. Steps walk own properties of plain objects
 * and of arrays (`tags.0`, as filters on array and json fields use them), never a prototype or a Date.
 */
export function getPath(source: unknown, path: string): unknown {
  let cur: unknown = source;
  for (const part of path.split('.')) {
    if (!(isPlainObject(cur) || Array.isArray(cur)) || !Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Sets `value` at a dotted path (replacing what is there), creating plain objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = target;
  for (const part of parts.slice(0, -1)) {
    const next = Object.hasOwn(cur, part) ? cur[part] : undefined;
    if (!isPlainObject(next)) defineOwn(cur, part, {});
    cur = cur[part] as Record<string, unknown>;
  }
  defineOwn(cur, parts[parts.length - 1]!, value);
}

/** Removes the value at a dotted path (nothing happens when the path does not exist). */
export function deletePath(target: Record<string, unknown>, path: string): void {
  const parts = path.split('.');
  let cur: unknown = target;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(cur) || !Object.hasOwn(cur, part)) return;
    cur = cur[part];
  }
  if (isPlainObject(cur)) delete cur[parts[parts.length - 1]!];
}

/** An own data property even for `__proto__`, which plain assignment would treat as the prototype. */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
