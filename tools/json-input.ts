// Object arguments (documents, filters, definitions) checked before zod sees them: zod's records silently skip a
// "__proto__" key, so without this an update or filter carrying one would succeed as if it were not there. The
// rule (no "__proto__" key, at most MAX_JSON_DEPTH levels) is the engine's, so both layers refuse the same input.
import { z } from 'zod';
import { jsonInputProblem } from '../engine/index.js';

/** A JSON object argument: `z.record(z.string(), value)` that refuses a "__proto__" key or deep nesting. */
export function jsonRecord<V extends z.ZodType>(value: V, params?: Parameters<typeof z.record>[2]) {
  return z.preprocess(
    (input, ctx) => {
      const problem = jsonInputProblem(input);
      if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem, input });
      return input;
    },
    z.record(z.string(), value, params),
  );
}
