// The replicator plugin: every change of chosen resources also lands in PostgreSQL, another s3db bucket or SQS.
export { ReplicatorPlugin } from './replicator-plugin.js';
export type { ReplicatorPluginOptions, ReplicatorTargetStats, ResyncReport } from './replicator-plugin.js';
export type { ResourceRule, TargetStats } from './deliverer.js';
export type { DriftReport } from './drift.js';
export {
  TARGET_KINDS,
  type ReplicationChange,
  type ReplicationTarget,
  type TargetEntry,
  type TargetKind,
} from './types.js';
export {
  PostgresTarget,
  S3dbTarget,
  SqsTarget,
  createTarget,
  parseSqsUrl,
  type PostgresTargetOptions,
  type ReplicationMessage,
  type S3dbTargetOptions,
  type SqsTargetOptions,
  type TargetOptions,
} from './targets/index.js';
