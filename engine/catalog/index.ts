// The catalog's public face: s3db.json's data types, reading and repairing it, and the Catalog that writes it.
export {
  S3DB_VERSION,
  definitionHash,
  emptyCatalog,
  keysFor,
  versionNumber,
  type CatalogFile,
  type CatalogResource,
  type CatalogVersion,
  type VersionDefinition,
} from './definition.js';
export { repairJson } from './repair-json.js';
export { parseCatalog, type ParsedCatalog } from './parse.js';
export { Catalog } from './catalog.js';
