// A server per stateless request must not convert the tool schemas again: the cached view gives the same JSON
// Schema object every time, and parses exactly as the schema it wraps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TOOLS } from '../../tools/index.js';
import { withCachedJsonSchema } from '../../server/schema-cache.js';

type Converter = { jsonSchema: { input(o: { target: string }): unknown; output(o: { target: string }): unknown } };

describe('withCachedJsonSchema', () => {
  it('converts each tool schema once and returns the same view for the same schema', () => {
    for (const tool of TOOLS) {
      const view = withCachedJsonSchema(tool.inputSchema);
      expect(withCachedJsonSchema(tool.inputSchema)).toBe(view);
      const std = view['~standard'] as unknown as Converter;
      const first = std.jsonSchema.input({ target: 'draft-2020-12' });
      expect(std.jsonSchema.input({ target: 'draft-2020-12' })).toBe(first);
      const original = (tool.inputSchema['~standard'] as unknown as Converter).jsonSchema.input({
        target: 'draft-2020-12',
      });
      expect(first).toEqual(original);
    }
  });

  it('parses any input exactly as the schema it wraps', () => {
    for (const tool of TOOLS) {
      const view = withCachedJsonSchema(tool.inputSchema);
      fc.assert(
        fc.property(fc.anything({ maxDepth: 3 }), (input) => {
          const a = tool.inputSchema.safeParse(input);
          const b = view.safeParse(input);
          expect(b.success).toBe(a.success);
          if (a.success && b.success) expect(b.data).toEqual(a.data);
        }),
        { numRuns: 30 },
      );
    }
  });
});
