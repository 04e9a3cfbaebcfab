// Reading buckets written by s3db.js 21 (the JavaScript library this engine re-creates) and migrating them.
export {
  detectS3dbjsCatalog,
  foreignFormatOf,
  S3DBJS_FORMAT,
  S3DBJS_MIGRATE_HINT,
  type ForeignFormat,
  type S3dbjsCatalog,
  type S3dbjsResource,
} from './catalog.js';
export { decryptS3dbjsSecret } from './cipher.js';
export { detectForeignCatalog, foreignWriteError } from './foreign.js';
export { healS3dbjsBucket } from './heal.js';
export { decodeRecord, type S3dbjsRecord } from './record.js';
export { catalogView, migratedDefinition } from './translate.js';
