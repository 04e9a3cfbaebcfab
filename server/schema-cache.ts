// Stateless HTTP builds a server per request (the SDK's createMcpHandler), and each new server would convert
// every tool's zod schemas to JSON Schema again (output schemas at registration, input schemas for tools/list
// and for each call's header check). The JSON Schema of a tool never changes in a process, so each schema is
// wrapped once, here, in a view whose `~standard.jsonSchema` answers from a cache; parsing is untouched.
import type { z } from 'zod';

type JsonSchemaFn = (options: { target: string }) => Record<string, unknown>;
interface StandardWithJson {
  jsonSchema?: { input: JsonSchemaFn; output: JsonSchemaFn };
}

const views = new WeakMap<z.ZodType, z.ZodType>();

/** The same schema (it parses exactly as before) with its JSON Schema conversions computed once per target. */
export function withCachedJsonSchema<S extends z.ZodType>(schema: S): S {
  const known = views.get(schema);
  if (known !== undefined) return known as S;
  const standard = schema['~standard'] as z.ZodType['~standard'] & StandardWithJson;
  const convert = standard.jsonSchema;
  if (convert === undefined) return schema;
  const cache = new Map<string, Record<string, unknown>>();
  const memo =
    (io: 'input' | 'output'): JsonSchemaFn =>
    (options) => {
      const key = `${io} ${options.target}`;
      let out = cache.get(key);
      if (out === undefined) {
        out = convert[io](options);
        cache.set(key, out);
      }
      return out;
    };
  // A view that inherits everything from the schema (zod reads its internals through the prototype) and only
  // overrides the Standard Schema face.
  const view = Object.create(schema) as S;
  Object.defineProperty(view, '~standard', {
    value: { ...standard, jsonSchema: { input: memo('input'), output: memo('output') } },
  });
  views.set(schema, view);
  return view;
}
