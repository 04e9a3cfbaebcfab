// Reading a resource's snapshot manifest: one GET, `manifest: null` when the resource has no (readable) snapshot.
import { snapshotManifestKey } from '../keys.js';
import type { ObjectStore } from '../storage/index.js';
import { decodeManifest, type Manifest } from './format.js';

export interface ManifestRead {
  manifest: Manifest | null;
  etag?: string;
  requests: number;
}

export async function readManifest(store: ObjectStore, resource: string): Promise<ManifestRead> {
  const obj = await store.get(snapshotManifestKey(resource));
  if (!obj) return { manifest: null, requests: 1 };
  try {
    return { manifest: decodeManifest(obj.body), etag: obj.etag, requests: 1 };
  } catch {
    // A damaged manifest is no snapshot for readers; a builder still replaces it by its ETag.
    return { manifest: null, etag: obj.etag, requests: 1 };
  }
}
