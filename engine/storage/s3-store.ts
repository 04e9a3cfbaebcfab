// The s3 store: any S3 endpoint (AWS, MinIO, Ceph RGW, LocalStack, Spaces…) through @aws-sdk/client-s3.
// The request counter counts every HTTP attempt (retries included), since that is what S3 bills.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mapStorageError, isMissingObject } from './aws-errors.js';
import { assertValidKey } from './key-order.js';
import { checkMaxKeys } from './list-keys.js';
import { normalizeMetadata } from './metadata-rules.js';
import {
  STORE_OPERATIONS,
  type DeleteManyResult,
  type ListOptions,
  type ListResult,
  type Metadata,
  type ObjectHead,
  type ObjectStore,
  type PutOptions,
  type RequestCounts,
  type StoreOperation,
  type StoredObject,
} from './object-store.js';
import { RequestCounter } from './request-counter.js';

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Tuning knobs of the s3 store, also accepted as connection string options. */
export interface S3Tuning {
  region?: string;
  forcePathStyle?: boolean;
  /** Keep-alive socket pool size per protocol. Default 50. */
  maxSockets?: number;
  /** TCP connect timeout. Default 5000 ms. */
  connectionTimeoutMs?: number;
  /** Socket idle timeout of one request. Default 30000 ms. */
  requestTimeoutMs?: number;
  /** Attempts per call, first one included (SDK standard retry: exponential backoff with jitter). Default 4. */
  maxAttempts?: number;
}

export interface S3StoreOptions extends S3Tuning {
  bucket: string;
  /** Prepended to every key and stripped from listings; normalised to end with `/` when not empty. */
  prefix?: string;
  /** e.g. `http://127.0.0.1:7480`; when set, path-style addressing is the default. */
  endpoint?: string;
  /** Absent: the AWS default credential chain (env, profile, SSO, instance role…). */
  credentials?: S3Credentials;
  /** Printed form (redacted); defaults to `s3://bucket/prefix`. */
  description?: string;
}

export const S3_DEFAULTS = {
  maxSockets: 50,
  connectionTimeoutMs: 5000,
  requestTimeoutMs: 30_000,
  maxAttempts: 4,
} as const;

const DELETE_BATCH = 1000;

export class S3Store implements ObjectStore {
  readonly kind = 's3' as const;
  readonly description: string;
  readonly bucket: string;
  readonly prefix: string;
  /** The underlying client, for tests that add middleware (e.g. the 2 KB metadata guard). */
  readonly client: S3Client;
  private readonly counter = new RequestCounter();
  private readonly endpointLabel: string;

  constructor(options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix);
    this.description = options.description ?? `s3://${options.bucket}/${this.prefix}`;
    this.endpointLabel = options.endpoint ?? `AWS S3 (${options.region ?? 'default region'})`;
    const maxSockets = options.maxSockets ?? S3_DEFAULTS.maxSockets;
    const agentOptions = { keepAlive: true, maxSockets };
    const config: S3ClientConfig = {
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      // Several S3-compatible servers mishandle the SDK's default aws-chunked/CRC uploads.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // Standard mode: throttling, 5xx and network errors retried with exponential backoff and full jitter;
      // 4xx such as 404 and 412 are never retried.
      retryMode: 'standard',
      maxAttempts: options.maxAttempts ?? S3_DEFAULTS.maxAttempts,
      requestHandler: new NodeHttpHandler({
        connectionTimeout: options.connectionTimeoutMs ?? S3_DEFAULTS.connectionTimeoutMs,
        requestTimeout: options.requestTimeoutMs ?? S3_DEFAULTS.requestTimeoutMs,
        // Without this the SDK only logs a warning when requestTimeout passes and a stalled server hangs the call.
        throwOnRequestTimeout: true,
        httpAgent: new HttpAgent(agentOptions),
        httpsAgent: new HttpsAgent(agentOptions),
      }),
    };
    if (options.endpoint !== undefined) config.endpoint = options.endpoint;
    if (options.region !== undefined) config.region = options.region;
    else if (options.endpoint !== undefined) config.region = 'us-east-1';
    else config.followRegionRedirects = true;
    if (options.credentials !== undefined) config.credentials = options.credentials;
    this.client = new S3Client(config);
    // The deserialize step runs once per HTTP attempt (it sits inside the retry loop).
    this.client.middlewareStack.add(
      (next, context) => async (args) => {
        const op = String(context.commandName ?? '').replace(/Command$/, '');
        if ((STORE_OPERATIONS as readonly string[]).includes(op)) this.counter.count(op as StoreOperation);
        return next(args);
      },
      { step: 'deserialize', name: 's3dbRequestCounter', priority: 'high' },
    );
  }

  async get(key: string): Promise<StoredObject | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
      const body = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
      return {
        key,
        body,
        metadata: lowerKeys(out.Metadata),
        etag: out.ETag ?? '',
        size: body.length,
        lastModified: out.LastModified ?? new Date(0),
        ...(out.ContentType === undefined ? {} : { contentType: out.ContentType }),
      };
    } catch (err) {
      if (isMissingObject(err)) return null;
      throw this.mapError(err, 'GetObject', key);
    }
  }

  async head(key: string): Promise<ObjectHead | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
      return {
        key,
        metadata: lowerKeys(out.Metadata),
        etag: out.ETag ?? '',
        size: out.ContentLength ?? 0,
        lastModified: out.LastModified ?? new Date(0),
        ...(out.ContentType === undefined ? {} : { contentType: out.ContentType }),
      };
    } catch (err) {
      if (isMissingObject(err)) return null;
      throw this.mapError(err, 'HeadObject', key);
    }
  }

  async put(key: string, body: Buffer | string, metadata?: Metadata, options: PutOptions = {}) {
    assertValidKey(key);
    // Header safety is checked here (Node would throw ERR_INVALID_CHAR); the 2 KB limit is the server's call.
    const meta = normalizeMetadata(metadata, key, { enforceLimit: false });
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.fullKey(key),
          Body: typeof body === 'string' ? Buffer.from(body) : body,
          Metadata: meta,
          ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
          // Sent unquoted: Ceph RGW compares If-Match to the bare hash (412 on a quoted match); AWS and MinIO
          // accept either form.
          ...(options.ifMatch === undefined ? {} : { IfMatch: options.ifMatch.replace(/^"|"$/g, '') }),
          ...(options.ifNoneMatch === undefined ? {} : { IfNoneMatch: options.ifNoneMatch }),
        }),
      );
      return { etag: out.ETag ?? '' };
    } catch (err) {
      // AWS answers IfMatch on a missing key with 404; for the engine that is the same lost race as a 412.
      if (options.ifMatch !== undefined && isMissingObject(err)) {
        throw this.mapError(Object.assign(new Error('precondition'), { name: 'PreconditionFailed' }), 'PutObject', key);
      }
      throw this.mapError(err, 'PutObject', key);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
    } catch (err) {
      if (isMissingObject(err)) return;
      throw this.mapError(err, 'DeleteObject', key);
    }
  }

  async deleteMany(keys: string[]): Promise<DeleteManyResult> {
    const result: DeleteManyResult = { deleted: [], errors: [] };
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      let out;
      try {
        out = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((k) => ({ Key: this.fullKey(k) })), Quiet: true },
          }),
        );
      } catch (err) {
        throw this.mapError(err, 'DeleteObjects');
      }
      const failed = new Map<string, { code: string; message: string }>();
      for (const e of out.Errors ?? []) {
        if (e.Key === undefined) continue;
        failed.set(this.stripKey(e.Key), { code: e.Code ?? 'Unknown', message: e.Message ?? '' });
      }
      for (const k of batch) {
        const f = failed.get(k);
        if (f) result.errors.push({ key: k, ...f });
        else result.deleted.push(k);
      }
    }
    return result;
  }

  async list(options: ListOptions = {}): Promise<ListResult> {
    const maxKeys = checkMaxKeys(options.maxKeys);
    let out;
    try {
      out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + (options.prefix ?? ''),
          MaxKeys: maxKeys,
          ...(options.delimiter ? { Delimiter: options.delimiter } : {}),
          ...(options.continuationToken ? { ContinuationToken: options.continuationToken } : {}),
          ...(options.startAfter !== undefined && !options.continuationToken
            ? { StartAfter: this.prefix + options.startAfter }
            : {}),
        }),
      );
    } catch (err) {
      throw this.mapError(err, 'ListObjectsV2');
    }
    return {
      objects: (out.Contents ?? []).map((o) => ({
        key: this.stripKey(o.Key ?? ''),
        size: o.Size ?? 0,
        etag: o.ETag ?? '',
        lastModified: o.LastModified ?? new Date(0),
      })),
      commonPrefixes: (out.CommonPrefixes ?? []).map((p) => this.stripKey(p.Prefix ?? '')),
      isTruncated: out.IsTruncated === true,
      ...(out.IsTruncated && out.NextContinuationToken ? { nextContinuationToken: out.NextContinuationToken } : {}),
    };
  }

  requestCounts(): RequestCounts {
    return this.counter.snapshot();
  }

  resetRequestCounts(): void {
    this.counter.reset();
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private fullKey(key: string): string {
    return this.prefix + key;
  }

  private stripKey(key: string): string {
    return key.startsWith(this.prefix) ? key.slice(this.prefix.length) : key;
  }

  private mapError(err: unknown, operation: string, key?: string) {
    return mapStorageError(err, {
      operation,
      bucket: this.bucket,
      endpoint: this.endpointLabel,
      ...(key === undefined ? {} : { key }),
    });
  }
}

function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

function lowerKeys(metadata: Record<string, string> | undefined): Metadata {
  const out: Metadata = {};
  for (const [k, v] of Object.entries(metadata ?? {})) out[k.toLowerCase()] = v;
  return out;
}
