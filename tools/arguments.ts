// Argument builders shared by the tools, so every tool names and describes the same thing the same way. Kept
// short: every description here is sent in tools/list for each tool that uses it (docs/tools.md, lean tool list).
import { z } from 'zod';
import { BEHAVIORS, RESOURCE_NAME_PATTERN, RESOURCE_NAME_RULE } from '../engine/index.js';
import { jsonRecord } from './json-input.js';

/** A tool's arguments: unknown keys are refused (a misspelt `limt` must not be silently ignored). */
export const toolArgs = <Shape extends z.ZodRawShape>(shape: Shape) => z.strictObject(shape);

/** Says "NAME is required" when the argument is missing, instead of zod's "expected string, received undefined". */
export const required = (name: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? `${name} is required` : undefined),
});

/** An object of any fields (output schemas that need not spell their inside out). */
export const anyObject = () => z.looseObject({});

export const resourceName = (name = 'resource') =>
  z.string(required(name)).regex(RESOURCE_NAME_PATTERN, RESOURCE_NAME_RULE);

export const documentId = (name = 'id') => z.string(required(name)).min(1).max(255);

export const documentIds = () =>
  z.array(documentId('ids[]'), required('ids')).min(1).max(1000).describe('Document ids, at most 1000');

export const documentData = (what: string, name = 'data') => jsonRecord(z.unknown(), required(name)).describe(what);

export const filter = () =>
  jsonRecord(z.unknown())
    .optional()
    .describe(
      'e.g. {"age":{"$gte":18},"country":"PT"}; $eq $ne $gt $gte $lt $lte $in $nin $exists $contains ' +
        '$startsWith $and $or $not; dotted paths',
    );

export const partition = () => z.string().min(1).optional().describe('Partition to read through (listPartitions)');

export const partitionValues = () =>
  jsonRecord(z.unknown()).optional().describe('Its field values, e.g. {"country":"PT"}: one LIST');

export const limit = () =>
  z.number().int().min(1).max(10_000).optional().describe('Page size (default 20, capped at the server maximum, 200)');

export const cursor = () => z.string().min(1).optional().describe('nextCursor of the previous page (same arguments)');

/** asc/desc in any case (the engine reads them case-blind); spelled out so JSON Schema validators agree. */
export const sort = () =>
  jsonRecord(z.union([z.literal([1, -1]), z.string().regex(/^([Aa][Ss][Cc]|[Dd][Ee][Ss][Cc])$/)]))
    .optional()
    .describe('e.g. {"age":-1} or {"name":"asc"}');

export const fields = () => z.array(z.string().min(1)).optional().describe('Only these (dotted) fields, plus id');

export const confirmParanoid = () => z.boolean().optional().describe('true to delete from a paranoid resource');

export const behavior = () =>
  z.enum(BEHAVIORS).optional().describe('Metadata (2 KB) / body split; default body-overflow');

/** A document as returned: an object with a string id. */
export const documentOut = () => z.looseObject({ id: z.string() });

/** How a read was answered: strategy (ids, partition, scan), S3 requests made, reason, documents scanned. */
export const planOut = () => z.looseObject({ strategy: z.string(), requests: z.number() });

/**
 * A query's plan, with `snapshot` when a scan used the resource's snapshot (builtAt, documents, fromSnapshot,
 * changed…) — declared on the query tool only, where explain shows it: each character is sent on every session.
 */
export const queryPlanOut = () => planOut().extend({ snapshot: z.looseObject({}).optional() });

/** Per failing item of a bulk call: its index, id, code and message. */
export const bulkErrorsOut = () => z.array(z.looseObject({ index: z.number(), code: z.string() }));
