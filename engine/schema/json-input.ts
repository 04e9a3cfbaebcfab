// Input that arrives as JSON (documents, patches, filters, definitions) is checked once for the two shapes that
// would otherwise surface as INTERNAL errors or silent changes: nesting deep enough to overflow the stack of the
// recursive code after it, and a "__proto__" key, which JSON.parse makes an own property but every object
// spread, assignment or zod record drops (or turns into a prototype). docs/reliability.md "Input limits".
import { ValidationError } from '../errors.js';

/** Deepest nesting of objects and arrays accepted in a document, patch, filter or definition. */
export const MAX_JSON_DEPTH = 64;

/** Names that cannot be ordinary property names of a plain object: refused wherever a name is data. */
export const RESERVED_NAMES: readonly string[] = ['__proto__'];

/** True when `name` cannot be used as a resource, attribute, partition or field name. */
export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.includes(name);
}

/** What is wrong with `value` as JSON input (too deep, a reserved key), or undefined. Iterative: any depth is safe. */
export function jsonInputProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): string | undefined {
  const stack: [unknown, number, string][] = [[value, 0, '']];
  while (stack.length > 0) {
    const [v, depth, path] = stack.pop()!;
    if (typeof v !== 'object' || v === null || v instanceof Date) continue;
    if (depth >= maxDepth) return `is nested more than ${maxDepth} levels deep${path ? ` (at ${path})` : ''}`;
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, depth + 1, `${path}[${i}]`]));
      continue;
    }
    for (const key of Object.keys(v)) {
      const at = path ? `${path}.${key}` : key;
      if (isReservedName(key)) return `has a "${key}" key (at ${at}), which is not allowed as a name`;
      stack.push([(v as Record<string, unknown>)[key], depth + 1, at]);
    }
  }
  return undefined;
}

/** Throws a ValidationError naming `what` when `value` is too deep or carries a reserved key. */
export function checkJsonInput(value: unknown, what: string): void {
  const problem = jsonInputProblem(value);
  if (problem === undefined) return;
  throw new ValidationError(`${what} ${problem}`, {
    details: { maxDepth: MAX_JSON_DEPTH },
    hint: `Keep nesting within ${MAX_JSON_DEPTH} levels and do not use "__proto__" as a key.`,
  });
}
