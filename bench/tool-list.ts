// The size of tools/list for the default and the read-only tool sets: what every session sends the model before
// its first call (budget: TOOL_LIST_BUDGET_CHARS, docs/tools.md).
import { configSchema, selectTools } from '../server/index.js';
import { TOOL_LIST_BUDGET_CHARS, toolListing } from '../tools/index.js';
import type { Row } from './stats.js';

export function toolListRows(): Row[] {
  return [
    { set: 'default', config: {} },
    { set: 'read-only', config: { readOnly: true } },
  ].map(({ set, config }) => {
    const tools = selectTools(configSchema.parse(config)).map(toolListing);
    const chars = JSON.stringify({ tools }).length;
    return {
      'tool set': set,
      tools: tools.length,
      characters: chars,
      '~tokens': Math.round(chars / 4),
      budget: TOOL_LIST_BUDGET_CHARS,
    };
  });
}
