// What listResources and describeResource say about a resource, read from its catalog entry.
import type { CatalogResource } from '../catalog/index.js';
import type { Attributes, Behavior, HookEvent, PartitionDefinition } from '../types.js';

export interface ResourceSummary {
  name: string;
  version: string;
  behavior: Behavior;
  partitions: Record<string, PartitionDefinition>;
  createdBy: string;
  timestamps: boolean;
  paranoid: boolean;
}

export interface ResourceDescription extends ResourceSummary {
  currentVersion: string;
  versions: Record<
    string,
    {
      hash: string;
      createdAt: string;
      attributes: Attributes;
      behavior: Behavior;
      partitions: Record<string, PartitionDefinition>;
      timestamps: boolean;
      paranoid: boolean;
    }
  >;
  attributes: Attributes;
  hooks: Partial<Record<HookEvent, string[]>>;
  /** Names of the plugins that see this resource's operations, in pipeline order. */
  plugins: string[];
}

export function describeEntry(name: string, entry: CatalogResource, plugins: string[]): ResourceDescription {
  const cur = entry.versions[entry.currentVersion]!;
  const versions: ResourceDescription['versions'] = {};
  for (const [v, d] of Object.entries(entry.versions)) {
    versions[v] = {
      hash: d.hash,
      createdAt: d.createdAt,
      attributes: d.attributes,
      behavior: d.behavior,
      partitions: d.partitions,
      timestamps: d.timestamps,
      paranoid: d.paranoid,
    };
  }
  return {
    name,
    version: entry.currentVersion,
    currentVersion: entry.currentVersion,
    versions,
    attributes: cur.attributes,
    behavior: cur.behavior,
    partitions: cur.partitions,
    timestamps: cur.timestamps,
    paranoid: cur.paranoid,
    createdBy: entry.createdBy,
    hooks: cur.hooks,
    plugins,
  };
}

export function summarize(d: ResourceDescription): ResourceSummary {
  const { name, version, behavior, partitions, createdBy, timestamps, paranoid } = d;
  return { name, version, behavior, partitions, createdBy, timestamps, paranoid };
}
