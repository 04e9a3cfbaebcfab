// One document ⇄ one S3 object: decode metadata and body into a document (secrets still encrypted), reveal or
// encrypt secret fields, and encode a validated document into metadata and body under the resource's behavior.
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import {
  applyBehavior,
  BODY_MARKER,
  CREATED_FIELD,
  TRUNCATED_MARKER,
  UPDATED_FIELD,
  VERSION_FIELD,
  type ExceedsLimitEvent,
} from '../behaviors/index.js';
import {
  decodeValue,
  encodeEntries,
  encodeValue,
  flattenDocument,
  readEntries,
  reverseKeyMap,
  unflattenEntries,
} from '../codec/index.js';
import { foreignWriteError } from '../compat/s3dbjs/index.js';
import type { SecretCipher } from '../crypto/index.js';
import { S3dbError, ValidationError } from '../errors.js';
import type { Metadata } from '../storage/index.js';
import { ENCRYPTED_MARKER, type Document } from '../types.js';
import { deletePath, getPath, setPath } from '../util/index.js';
import { readForeign, revealForeign } from './foreign-records.js';
import type { ResourceSchemas, VersionState } from './version-state.js';

/** Body key holding a per-write random revision (never an attribute: attributes use short keys). */
export const REVISION_FIELD = '_r';

/** A stored document as read: secrets still encrypted. */
export interface StoredRecord {
  doc: Document;
  etag: string;
  version: string;
  /** False when some fields live in the body and only a HEAD was read. */
  complete: boolean;
}

/** What to put for one document, and what the behavior cut from it. */
export interface EncodedRecord {
  metadata: Metadata;
  body: string;
  truncated: string[];
  cut: Map<string, unknown>;
}

export class RecordCodec {
  constructor(
    private readonly schemas: ResourceSchemas,
    private readonly cipher: SecretCipher,
    private readonly events: EventEmitter,
  ) {}

  private get name(): string {
    return this.schemas.name;
  }

  /** A document from an object's metadata and body (`null` body: a HEAD). */
  decode(id: string, metadata: Metadata, body: Buffer | null, etag: string): StoredRecord {
    if (this.schemas.foreign) return readForeign(this.schemas, id, metadata, body, etag);
    const entry = this.schemas.entry;
    const version = metadata[VERSION_FIELD] ?? entry.currentVersion;
    let parsed: Record<string, unknown> | null = null;
    if (body && body.length > 0 && metadata[BODY_MARKER] !== undefined) {
      try {
        parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch (e) {
        throw new S3dbError('CORRUPTED', `The body of "${this.name}/${id}" is not valid JSON`, {
          details: { resource: this.name, id },
          hint: 'Replace the document, or run heal.',
          cause: e,
        });
      }
    }
    const reverse = reverseKeyMap(entry.keyMap);
    const doc: Document = { id, ...unflattenEntries(readEntries(metadata, parsed, reverse)) };
    if (metadata[CREATED_FIELD] !== undefined) doc.createdAt = decodeValue(metadata[CREATED_FIELD]);
    if (metadata[UPDATED_FIELD] !== undefined) doc.updatedAt = decodeValue(metadata[UPDATED_FIELD]);
    if (metadata[TRUNCATED_MARKER] !== undefined) {
      doc._truncated = metadata[TRUNCATED_MARKER].split(',').map((k) => reverse.get(k) ?? k);
    }
    const complete = body !== null || metadata[BODY_MARKER] === undefined;
    return { doc, etag, version, complete };
  }

  /** Throws when the bucket is in a foreign format, which is read here but never written. */
  assertWritable(what: string): void {
    const foreign = this.schemas.foreign;
    if (foreign) throw foreignWriteError(foreign, `${what} in "${this.name}"`);
  }

  /**
   * Secrets decrypted with the passphrase, or ENCRYPTED_MARKER without one. Paths secret in the record's own
   * version are always ciphertext; a path secret only in another version may hold ciphertext (an older record
   * rewritten after a retype) or plaintext (written under the explicit retype): both are masked without the
   * passphrase, and only what decrypts is replaced with it.
   */
  async reveal(doc: Document, version: string): Promise<Document> {
    if (this.schemas.foreign) return revealForeign(this.schemas, this.cipher, doc, version);
    const own = new Set(this.schemas.schemaFor(version).secretPaths);
    const paths = this.schemas.secretPathsEver();
    if (paths.length === 0) return doc;
    const out = structuredClone(doc);
    for (const path of paths) {
      const value = getPath(out, path);
      if (typeof value !== 'string') continue;
      if (!this.cipher.hasPassphrase) setPath(out, path, ENCRYPTED_MARKER);
      else if (own.has(path)) setPath(out, path, await this.cipher.decrypt(value, path));
      else setPath(out, path, await this.cipher.decrypt(value, path).catch(() => value));
    }
    return out;
  }

  /** Secret fields encrypted; with `only`, just those present in it (an update keeps the others as stored). */
  async encrypt(doc: Document, state: VersionState, only?: Record<string, unknown>): Promise<Document> {
    this.assertWritable('write documents');
    if (state.schema.secretPaths.length === 0) return doc;
    const out = structuredClone(doc);
    for (const path of state.schema.secretPaths) {
      const value = getPath(out, path);
      if (typeof value !== 'string') continue;
      if (only && getPath(only, path) === undefined) continue;
      if (value === ENCRYPTED_MARKER) {
        throw new ValidationError(`Secret field "${path}" holds the "${ENCRYPTED_MARKER}" placeholder`, {
          details: { resource: this.name, field: path },
          hint: 'Send the real secret value, or leave the field out of the update to keep the stored one.',
          issues: [{ path, message: 'is the encrypted placeholder, not a value' }],
        });
      }
      setPath(out, path, await this.cipher.encrypt(value, path));
    }
    return out;
  }

  /** Encodes and splits a validated (secrets encrypted) document; returns what to put and what was cut. */
  encode(doc: Document, state: VersionState, operation: string): EncodedRecord {
    this.assertWritable('write documents');
    const { id, createdAt, updatedAt, ...attrs } = doc;
    const system: Metadata = { [VERSION_FIELD]: state.version };
    if (typeof createdAt === 'string') system[CREATED_FIELD] = encodeValue(createdAt);
    if (typeof updatedAt === 'string') system[UPDATED_FIELD] = encodeValue(updatedAt);
    const entries = encodeEntries(flattenDocument(state.schema, attrs), this.schemas.entry.keyMap);
    const split = applyBehavior(state.def.behavior, {
      resource: this.name,
      id,
      operation,
      system,
      entries,
      secretPaths: state.schema.secretPaths,
      data: doc,
      emit: (_event, payload: ExceedsLimitEvent) =>
        this.events.emit('exceedsLimit', { ...payload, resource: this.name }),
    });
    // S3's ETag is the MD5 of the body only: a fresh revision in every body makes ifMatch see metadata changes.
    const body = JSON.stringify({ ...split.body, [REVISION_FIELD]: randomBytes(9).toString('base64url') });
    const kept = new Map(entries.map((e) => [e.path, e]));
    const cut = new Map<string, unknown>();
    for (const path of split.truncated) {
      const key = kept.get(path)!.key;
      if (split.metadata[key] !== undefined) cut.set(path, decodeValue(split.metadata[key]));
    }
    return { metadata: split.metadata, body, truncated: split.truncated, cut };
  }

  /** What a reader will see of a document just written (secrets revealed, truncation applied). */
  async readerView(doc: Document, enc: EncodedRecord, version: string): Promise<Document> {
    const out = await this.reveal(doc, version);
    if (enc.truncated.length === 0) return out;
    for (const path of enc.truncated) {
      if (enc.cut.has(path)) setPath(out, path, enc.cut.get(path));
      else deletePath(out, path);
    }
    out._truncated = enc.truncated;
    return out;
  }
}
