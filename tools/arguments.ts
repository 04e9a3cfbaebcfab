// Argument builders shared by the tools, so every tool names and describes the same thing the same way.
import { z } from 'zod';
import { BEHAVIORS, RESOURCE_NAME_PATTERN, RESOURCE_NAME_RULE } from '../engine/index.js';
import { jsonRecord } from './json-input.js';

export const resourceName = () =>
  z.string().regex(RESOURCE_NAME_PATTERN, RESOURCE_NAME_RULE).describe('Resource (collection) name, e.g. "users"');

export const documentId = () =>
  z.string().min(1).max(255).describe('Document id, e.g. "u1" (ids are strings; generated when not given on insert)');

export const documentIds = () =>
  z.array(documentId()).min(1).max(1000).describe('Document ids, at most 1000, e.g. ["u1","u2"]');

export const documentData = (what: string) =>
  jsonRecord(z.unknown()).describe(`${what}, a JSON object of attribute values, e.g. {"name":"Ada"}`);

export const filter = () =>
  jsonRecord(z.unknown())
    .optional()
    .describe(
      'Filter: {field: value} for equality, {field: {$gt: 3}} with $eq $ne $gt $gte $lt $lte $in $nin $exists ' +
        '$contains $startsWith, $and/$or/$not, dotted paths for nested fields. Secret fields cannot be filtered on.',
    );

export const partition = () =>
  z
    .string()
    .min(1)
    .optional()
    .describe('Partition name to read through (see listPartitions); fastest with partitionValues');

export const partitionValues = () =>
  jsonRecord(z.unknown())
    .optional()
    .describe('Values of the partition\'s fields, e.g. {"country":"PT"}: one LIST of that partition');

export const limit = () =>
  z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Most records to return (server default 20, maximum 200 unless configured otherwise)');

export const cursor = () =>
  z
    .string()
    .min(1)
    .optional()
    .describe('nextCursor from a previous call with the same arguments, to get the next page');

export const sort = () =>
  jsonRecord(z.union([z.literal(1), z.literal(-1), z.enum(['asc', 'desc'])]))
    .optional()
    .describe('Sort order, e.g. {"age": -1}');

export const fields = () =>
  z
    .array(z.string().min(1))
    .optional()
    .describe('Return only these (dotted) fields plus id, e.g. ["name","address.city"]');

export const confirmParanoid = () =>
  z.boolean().optional().describe('Must be true to delete from a resource created with paranoid: true');

export const behavior = () =>
  z
    .enum(BEHAVIORS)
    .optional()
    .describe('How a document is split between S3 metadata (2 KB) and body; default body-overflow');

/** A document as returned: an object with a string id. */
export const documentOut = () => z.looseObject({ id: z.string() });

export const planOut = () =>
  z.object({
    strategy: z.string().describe('ids, partition or scan'),
    requests: z.number().describe('S3 requests this call made'),
    reason: z.string().optional().describe('Why this plan was chosen'),
    scanned: z.number().optional().describe('Documents or references read to answer'),
    partition: z.string().optional(),
    prefix: z.string().optional(),
    estimatedRequests: z.number().optional(),
  });

export const bulkErrorsOut = () =>
  z.array(z.object({ index: z.number(), id: z.string().optional(), code: z.string(), message: z.string() }));
