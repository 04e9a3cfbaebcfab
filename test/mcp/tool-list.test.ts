// tools/list stays lean: the default tool set under its character budget, each tool with an output schema and one
// example, and the tidied JSON Schemas accept and refuse exactly what the full ones do.
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TOOLS, TOOL_LIST_BUDGET_CHARS, toolListing } from '../../tools/index.js';
import { connect } from './support/connect.js';
import { engineDatabase } from './support/databases.js';

describe('tools/list', () => {
  it(`the default tool set costs at most ${TOOL_LIST_BUDGET_CHARS} characters`, async () => {
    const mcp = await connect(await engineDatabase());
    const listed = await mcp.client.listTools();
    const size = JSON.stringify(listed).length;
    console.log(`tools/list: ${listed.tools.length} tools, ${size} characters`);
    expect(listed.tools.length).toBe(15);
    expect(size).toBeLessThanOrEqual(TOOL_LIST_BUDGET_CHARS);
    for (const tool of listed.tools) {
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.description?.match(/Example: /g), tool.name).toHaveLength(1);
    }
    await mcp.close();
  });

  it('each tidied schema gives the same verdict as the full JSON Schema on arbitrary input (property)', () => {
    const ajv = new Ajv({ strict: false });
    for (const tool of TOOLS) {
      const listing = toolListing(tool);
      const pairs = [
        [z.toJSONSchema(tool.inputSchema, { target: 'draft-7', io: 'input' }), listing.inputSchema],
        [z.toJSONSchema(tool.outputSchema, { target: 'draft-7', io: 'output' }), listing.outputSchema],
      ] as const;
      for (const [full, tidied] of pairs) {
        const { $schema: _dialect, ...fullSchema } = full as Record<string, unknown>;
        const a = ajv.compile(fullSchema);
        const b = ajv.compile(tidied);
        const props = Object.keys((fullSchema.properties ?? {}) as object);
        const value = fc.oneof(
          fc.anything({ maxDepth: 3 }),
          fc.record(Object.fromEntries(props.map((p) => [p, fc.anything({ maxDepth: 2 })])), { requiredKeys: [] }),
        );
        fc.assert(
          fc.property(value, (v) => a(v) === b(v)),
          { numRuns: 200 },
        );
      }
    }
  });
});
