// The migration from s3db.js (its own folder: it drives two Databases, which the s3db.js reader must not import).
export {
  migrateFromS3dbjs,
  type MigratedResource,
  type MigrateFromS3dbjsOptions,
  type MigrationReport,
} from './migrate.js';
