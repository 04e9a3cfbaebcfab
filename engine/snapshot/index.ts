// Resource snapshots: the decoded-as-stored documents of a resource packed into a few large objects, with a
// manifest of each document's ETag, so a scan costs its LISTs plus a few segment GETs plus a read per changed
// document (docs/queries.md "Snapshots").
export { buildSnapshot, dropSnapshot, DEFAULT_SEGMENT_BYTES, DEFAULT_SNAPSHOT_GRACE_MS } from './builder.js';
export type { BuildSnapshotOptions, SnapshotBuildReport } from './builder.js';
export { decodeManifest, decodeSegment, type Manifest, type SegmentEntry } from './format.js';
export { readManifest } from './manifest.js';
export { SnapshotView, Snapshots, type SnapshotMeter, type SnapshotsOptions } from './snapshots.js';
export { inspectSnapshot, type SnapshotInspection } from './inspect.js';
