// The one paginated LIST loop of the engine: every object (or common prefix) under a prefix, 1,000 keys per
// request, following continuation tokens. Everything that walks a prefix uses it.
import type { ListedObject, ListResult, ObjectStore } from './object-store.js';

export interface ListAllOptions {
  delimiter?: string;
  /** Called once per LIST request (request accounting in query results). */
  onPage?: () => void;
}

/** Every page of a LIST of `prefix`, in key order. */
export async function* listPages(
  store: Pick<ObjectStore, 'list'>,
  prefix: string,
  options: ListAllOptions = {},
): AsyncGenerator<ListResult> {
  let continuationToken: string | undefined;
  do {
    options.onPage?.();
    const page = await store.list({
      prefix,
      ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
      ...(continuationToken === undefined ? {} : { continuationToken }),
    });
    yield page;
    continuationToken = page.isTruncated ? page.nextContinuationToken : undefined;
  } while (continuationToken !== undefined);
}

/** Every object under `prefix`, in key order. */
export async function* listAll(
  store: Pick<ObjectStore, 'list'>,
  prefix: string,
  options: ListAllOptions = {},
): AsyncGenerator<ListedObject> {
  for await (const page of listPages(store, prefix, options)) yield* page.objects;
}

/** Every key under `prefix`, collected. */
export async function listKeys(
  store: Pick<ObjectStore, 'list'>,
  prefix: string,
  options: ListAllOptions = {},
): Promise<string[]> {
  const keys: string[] = [];
  for await (const obj of listAll(store, prefix, options)) keys.push(obj.key);
  return keys;
}

/** The distinct prefixes one level below `prefix` (up to and including `delimiter`). */
export async function listCommonPrefixes(
  store: Pick<ObjectStore, 'list'>,
  prefix: string,
  delimiter = '/',
): Promise<string[]> {
  const prefixes: string[] = [];
  for await (const page of listPages(store, prefix, { delimiter })) prefixes.push(...page.commonPrefixes);
  return prefixes;
}
