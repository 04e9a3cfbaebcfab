// What tools/list says about one tool, computed once per process: the JSON Schemas of its arguments and result
// (draft-07, without the `$schema` line each would repeat) and only the annotations that differ from the spec's
// defaults. Every character here is sent to the model on every session: docs/tools.md has the budget.
import { z } from 'zod';
import type { ToolDefinition } from './tool-definition.js';
import { annotationsFor } from './tool-definition.js';

export interface ToolListing {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: 'object' } & Record<string, unknown>;
  outputSchema: { type: 'object' } & Record<string, unknown>;
  annotations: Partial<Omit<ReturnType<typeof annotationsFor>, 'title'>>;
}

/** The tools/list size the default tool set must stay under (test/mcp/tool-list.test.ts measures it). */
export const TOOL_LIST_BUDGET_CHARS = 16_000;

const cache = new WeakMap<ToolDefinition, ToolListing>();

const isEmptyObject = (v: unknown) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;

/**
 * Drops what JSON Schema means anyway, so the meaning is unchanged: `additionalProperties: {}` and
 * `properties: {}` (any object), `propertyNames: {type: "string"}` (JSON keys are strings).
 */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'additionalProperties' || key === 'properties') && isEmptyObject(value)) continue;
    if (key === 'propertyNames' && JSON.stringify(value) === '{"type":"string"}') continue;
    // Inside `properties` the keys are field names, not keywords: only their values are schemas.
    out[key] =
      key === 'properties' && value !== null && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, tidy(schema)]))
        : tidy(value);
  }
  return out;
}

function jsonSchema(schema: z.ZodObject, io: 'input' | 'output'): { type: 'object' } & Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io }) as Record<string, unknown>;
  return { ...(tidy(rest) as Record<string, unknown>), type: 'object' };
}

/**
 * The spec's defaults are readOnlyHint false, destructiveHint true, idempotentHint false, openWorldHint true;
 * destructive and idempotent mean nothing for a read-only tool. Only what differs is sent (the title is the
 * tool's own `title`).
 */
function compactAnnotations(tool: ToolDefinition): ToolListing['annotations'] {
  const full = annotationsFor(tool);
  if (full.readOnlyHint) return { readOnlyHint: true, openWorldHint: false };
  return {
    ...(full.destructiveHint ? {} : { destructiveHint: false }),
    ...(full.idempotentHint ? { idempotentHint: true } : {}),
    openWorldHint: false,
  };
}

export function toolListing(tool: ToolDefinition): ToolListing {
  let listing = cache.get(tool);
  if (listing === undefined) {
    listing = {
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: jsonSchema(tool.inputSchema, 'input'),
      outputSchema: jsonSchema(tool.outputSchema, 'output'),
      annotations: compactAnnotations(tool),
    };
    cache.set(tool, listing);
  }
  return listing;
}
