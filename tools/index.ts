// The tools' public face: the list the server registers, and the helpers it needs to do so.
import { countTool } from './count.js';
import { createResourceTool } from './create-resource.js';
import { deleteManyTool } from './delete-many.js';
import { deleteTool } from './delete.js';
import { describeResourceTool } from './describe-resource.js';
import { getStatsTool } from './get-stats.js';
import { getTool } from './get.js';
import { healTool } from './heal.js';
import { insertManyTool } from './insert-many.js';
import { insertTool } from './insert.js';
import { listPartitionsTool } from './list-partitions.js';
import { listResourcesTool } from './list-resources.js';
import { queryTool } from './query.js';
import { incrementTool } from './increment.js';
import { searchTool } from './search.js';
import { updateTool } from './update.js';
import { upsertTool } from './upsert.js';
import type { ToolDefinition } from './tool-definition.js';

/** Every tool, in the order clients list them. */
export const TOOLS: readonly ToolDefinition[] = [
  createResourceTool,
  listResourcesTool,
  describeResourceTool,
  insertTool,
  insertManyTool,
  getTool,
  updateTool,
  upsertTool,
  deleteTool,
  deleteManyTool,
  queryTool,
  countTool,
  listPartitionsTool,
  getStatsTool,
  healTool,
  searchTool,
  incrementTool,
] as unknown as readonly ToolDefinition[];

export const TOOL_NAMES = TOOLS.map((t) => t.name);

export type { ToolContext, ToolDatabase, ToolLimits, ToolResource } from './context.js';
export type { ToolAnnotations, ToolDefinition, ToolKind, ToolOutput } from './tool-definition.js';
export { TOOL_KINDS, annotationsFor, isWriteTool } from './tool-definition.js';
export { formatUntrustedData, maskSecrets, presentDocuments, toolError } from './results.js';
export { INTERNAL_ERROR_TEXT } from './results.js';
export { DeclinedError } from './declined.js';
export { TOOL_LIST_BUDGET_CHARS, toolListing, type ToolListing } from './listing.js';
/** Tools registered only when a plugin is enabled: tool name → the plugin name it needs. */
export const PLUGIN_TOOLS: Readonly<Record<string, string>> = {
  search: 'FullTextPlugin',
  increment: 'EventualConsistencyPlugin',
};
