// The schema DSL's public face.
export {
  FIELD_RULES,
  FIELD_TYPES,
  SYSTEM_FIELDS,
  compileSchema,
  fieldTypes,
  secretPaths,
  validateDocument,
} from './dsl.js';
export { MAX_JSON_DEPTH, RESERVED_NAMES, checkJsonInput, isReservedName, jsonInputProblem } from './json-input.js';
export type { CompiledSchema, FieldNode, FieldRule, FieldType } from './dsl.js';
