// Turning command-line text into engine arguments: JSON objects, k=v partition values, sort and field lists,
// and the short attribute form `name:string|required,age:number`. Every mistake is a UsageError (exit 2).
import { UsageError } from './errors.js';

/** Parses a JSON object given on the command line (`what` names the option in the message). */
/** Commander's accumulator for a repeatable option (`--value a=1 --value b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${what} is not valid JSON: ${(error as Error).message}`,
      `Quote it for the shell, e.g. ${what} '{"name":"Ada"}'.`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`${what} must be a JSON object`, `e.g. ${what} '{"name":"Ada"}'.`);
  }
  return value as Record<string, unknown>;
}

/** Parses `-d`: one JSON object or an array of objects. */
export function parseDocuments(text: string, what = '-d'): Record<string, unknown>[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new UsageError(`${what} is not valid JSON: ${(error as Error).message}`);
    }
    const items = value as unknown[];
    items.forEach((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw new UsageError(`${what}: item ${i} is not a JSON object`);
      }
    });
    return items as Record<string, unknown>[];
  }
  return [parseJsonObject(trimmed, what)];
}

/** `--value team=red --value year=2024` → { team: 'red', year: '2024' }. */
export function parseKeyValues(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--value "${pair}" is not field=value`, 'e.g. --value country=PT');
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/** `--sort age` / `--sort age:desc` / `--sort -age`, repeatable or comma-separated → { age: -1 }. */
export function parseSort(specs: readonly string[]): Record<string, 1 | -1> {
  const out: Record<string, 1 | -1> = {};
  for (const spec of specs.flatMap((s) => s.split(','))) {
    const s = spec.trim();
    if (s === '') continue;
    const m = /^(-)?([^:\s]+)(?::(asc|desc))?$/i.exec(s);
    if (!m) throw new UsageError(`--sort "${s}" is not field, -field or field:asc|desc`);
    out[m[2] as string] = m[1] === '-' || m[3]?.toLowerCase() === 'desc' ? -1 : 1;
  }
  return out;
}

/** `--fields name,address.city` → ['name', 'address.city']. */
export function parseList(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** A whole number ≥ min, for --limit and friends. */
export function parsePositiveInt(text: string, what: string, min = 1): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) {
    throw new UsageError(`${what} must be a whole number ≥ ${min}, got "${text}"`);
  }
  return Number(text);
}

/**
 * `--attributes` in JSON (`{"name":"string|required"}`) or the short form `name:string|required,age:number`,
 * where a dotted name nests (`address.city:string`). A rule may hold colons and commas (`max:100`), so a new
 * attribute starts only at a comma followed by `name:`.
 */
export function parseAttributes(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) return parseJsonObject(trimmed, '--attributes');
  const out: Record<string, unknown> = {};
  for (const part of trimmed.split(/,(?=\s*[A-Za-z_$][\w$.-]*\s*:)/)) {
    const m = /^\s*([A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*)\s*:\s*(\S.*?)\s*$/.exec(part);
    if (!m) {
      throw new UsageError(
        `--attributes: "${part}" is not name:rule`,
        `Write JSON ('{"name":"string|required"}') or name:rule pairs ('name:string|required,age:number').`,
      );
    }
    const path = (m[1] as string).split('.');
    let node = out;
    for (const key of path.slice(0, -1)) {
      const next = Object.hasOwn(node, key) ? node[key] : undefined;
      if (typeof next === 'string') throw new UsageError(`--attributes: "${key}" is both a field and an object`);
      node = (next as Record<string, unknown> | undefined) ?? (node[key] = {});
    }
    node[path.at(-1) as string] = m[2];
  }
  return out;
}

/** `--partition byTeam=team` or `byPlace=country:string,city` → { byPlace: { fields: { country: 'string', … } } }. */
export function parsePartitions(specs: readonly string[]): Record<string, { fields: Record<string, string> }> {
  const out: Record<string, { fields: Record<string, string> }> = {};
  for (const spec of specs) {
    const m = /^\s*([A-Za-z][\w-]*)\s*=\s*(.+)$/.exec(spec);
    if (!m)
      throw new UsageError(`--partition "${spec}" is not name=field[:rule][,field…]`, 'e.g. --partition byTeam=team');
    const fields: Record<string, string> = {};
    for (const f of (m[2] as string).split(',')) {
      const [field, ...rule] = f.trim().split(':');
      if (field === undefined || field === '') throw new UsageError(`--partition "${spec}" names an empty field`);
      fields[field] = rule.length > 0 ? rule.join(':') : 'string';
    }
    out[m[1] as string] = { fields };
  }
  return out;
}
