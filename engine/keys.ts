// Every key and prefix the engine writes to or lists in the bucket, built in one place (DESIGN.md "On the
// bucket"). Partition value segments are escaped in engine/partitions; this module only joins them.

/** The catalog object at the prefix root. */
export const CATALOG_KEY = 's3db.json';

/** `s3db.json.corrupted.<timestamp>.backup`: where a damaged catalog is copied before it is rewritten. */
export function catalogBackupKey(now = new Date()): string {
  return `${CATALOG_KEY}.corrupted.${now.toISOString().replace(/[:.]/g, '-')}.backup`;
}

/** The one rule for resource names (also used to recognise resource folders in the bucket). */
export const RESOURCE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
export const RESOURCE_NAME_RULE = 'must be 1-100 letters, digits, _ or -, starting with a letter or digit';

export function isResourceName(name: unknown): name is string {
  return typeof name === 'string' && RESOURCE_NAME_PATTERN.test(name);
}

/** Every resource lives under `resource=NAME/`. */
export const RESOURCES_PREFIX = 'resource=';

/** `resource=NAME/` */
export function resourceRoot(resource: string): string {
  return `${RESOURCES_PREFIX}${resource}/`;
}

/** The resource name of a `resource=NAME/` common prefix. */
export function resourceOfRoot(prefix: string): string {
  return prefix.slice(RESOURCES_PREFIX.length, -1);
}

/** `resource=NAME/data/`: one object per document below it. */
export function dataPrefix(resource: string): string {
  return `${resourceRoot(resource)}data/`;
}

const ID_SEGMENT = 'id=';

/** `resource=NAME/data/id=ID` */
export function dataKey(resource: string, id: string): string {
  return `${dataPrefix(resource)}${ID_SEGMENT}${id}`;
}

/** The id of a data key of `resource`, or null when the key is not `resource=NAME/data/id=<non-empty>`. */
export function idOfDataKey(resource: string, key: string): string | null {
  const prefix = `${dataPrefix(resource)}${ID_SEGMENT}`;
  return key.startsWith(prefix) && key.length > prefix.length ? key.slice(prefix.length) : null;
}

/** `resource=NAME/partition=`: every reference of the resource lives under it. */
export function partitionsRoot(resource: string): string {
  return `${resourceRoot(resource)}partition=`;
}

/** `resource=NAME/partition=PART/` */
export function partitionRoot(resource: string, partition: string): string {
  return `${partitionsRoot(resource)}${partition}/`;
}

/** `resource=NAME/partition=PART/f1=v1/f2=v2/`: `valueSegments` is the escaped `FIELD=VALUE/…` part. */
export function partitionValuesPrefix(resource: string, partition: string, valueSegments: string): string {
  return `${partitionRoot(resource, partition)}${valueSegments}`;
}

/** `…/f1=v1/id=ID`: a reference key from its values prefix. */
export function referenceKey(valuesPrefix: string, id: string): string {
  return `${valuesPrefix}${ID_SEGMENT}${id}`;
}

/** The id of a reference key below `valuesPrefix`, or null when the key is not `<valuesPrefix>id=<non-empty>`. */
export function idOfReferenceKey(valuesPrefix: string, key: string): string | null {
  const prefix = referenceKey(valuesPrefix, '');
  return key.startsWith(prefix) && key.length > prefix.length ? key.slice(prefix.length) : null;
}

/** Splits the part of a reference key after `partition=` into partition, value segments and id. */
export function splitReference(rest: string): { partition: string; valueSegments: string; id: string } | null {
  const slash = rest.indexOf('/');
  const idAt = rest.lastIndexOf(`/${ID_SEGMENT}`);
  if (slash < 0 || idAt < slash) return null;
  return {
    partition: rest.slice(0, slash),
    valueSegments: rest.slice(slash + 1, idAt + 1),
    id: rest.slice(idAt + 1 + ID_SEGMENT.length),
  };
}

/** Where heal moves objects it cannot read: `s3db.quarantine/<stamp>/<original key>`. */
export const QUARANTINE_PREFIX = 's3db.quarantine/';

export function quarantineKey(stamp: string, key: string): string {
  return `${QUARANTINE_PREFIX}${stamp}/${key}`;
}

/** Reserved for the write-condition probe (engine/storage/write-guard.ts): one short-lived key per probe. */
export const PROBE_PREFIX = 's3db.probe/';

/** Default bucket prefixes of the plugins that keep objects of their own. */
export const CACHE_PREFIX = 'plugin=cache/';
export const FULLTEXT_PREFIX = 'plugin=fulltext/';

/** Where the eventual-consistency plugin keeps each counter's consolidated state (one JSON object per field+id). */
export const COUNTER_STATE_PREFIX = 'plugin=ec/';

/** `plugin=ec/resource=R/field=F/id=ID`: the consolidated state of one counter. */
export function counterStateKey(resource: string, field: string, id: string): string {
  return `${COUNTER_STATE_PREFIX}${resourceRoot(resource)}field=${field}/${ID_SEGMENT}${id}`;
}

/** Resource snapshots (engine/snapshot) live beside the resources, never under `resource=` so no LIST of a resource sees them. */
export const SNAPSHOTS_PREFIX = 's3db.snapshots/';

/** `s3db.snapshots/resource=NAME/`: the manifest and segments of one resource's snapshot. */
export function snapshotRoot(resource: string): string {
  return `${SNAPSHOTS_PREFIX}${resourceRoot(resource)}`;
}

/** The one manifest of a resource's snapshot, replaced by a conditional write. */
export function snapshotManifestKey(resource: string): string {
  return `${snapshotRoot(resource)}manifest.json.gz`;
}

/** `…/segments/`: every segment of every build of the resource. */
export function snapshotSegmentsPrefix(resource: string): string {
  return `${snapshotRoot(resource)}segments/`;
}

/** A segment of one build: immutable, so readers may cache it by key. */
export function snapshotSegmentKey(resource: string, buildId: string, index: number): string {
  return `${snapshotSegmentsPrefix(resource)}${buildId}-${String(index).padStart(5, '0')}.jsonl.gz`;
}

export const REPLICATOR_PREFIX = 'plugin=replicator/';

/** `plugin=replicator/outbox/`: one empty object per write awaiting replication, oldest first. */
export function replicatorOutboxPrefix(prefix = REPLICATOR_PREFIX): string {
  return `${prefix}outbox/`;
}

/** `…/outbox/STAMP/resource=NAME/id=ID`: STAMP sorts by time, so a LIST returns the oldest entries first. */
export function replicatorOutboxKey(stamp: string, resource: string, id: string, prefix = REPLICATOR_PREFIX): string {
  return `${replicatorOutboxPrefix(prefix)}${stamp}/${resourceRoot(resource)}${ID_SEGMENT}${id}`;
}

/** The stamp, resource and id of an outbox key, or null when the key is not one. */
export function splitReplicatorOutboxKey(
  key: string,
  prefix = REPLICATOR_PREFIX,
): { stamp: string; resource: string; id: string } | null {
  const head = replicatorOutboxPrefix(prefix);
  if (!key.startsWith(head)) return null;
  const rest = key.slice(head.length);
  const m = /^([^/]+)\/resource=([^/]+)\/id=(.+)$/s.exec(rest);
  return m ? { stamp: m[1] as string, resource: m[2] as string, id: m[3] as string } : null;
}

/** `…/revisions/resource=NAME/id=ID`: the ordered revision counter of one document (JSON `{ etag, revision }`). */
export function replicatorRevisionKey(resource: string, id: string, prefix = REPLICATOR_PREFIX): string {
  return `${prefix}revisions/${resourceRoot(resource)}${ID_SEGMENT}${id}`;
}
