// Pins the mapping of AWS SDK / network errors into engine errors: code, retryable, hint, details, no raw message.
import { describe, expect, it } from 'vitest';
import { ConflictError, MetadataLimitError, S3dbError } from '../../engine/index.js';
import { mapStorageError } from '../../engine/internal.js';

function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`raw message with Signature=abc123secret`), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status, requestId: 'req-1' } }),
    ...extra,
  });
}

const ctx = { operation: 'PutObject', bucket: 'b1', key: 'k1', endpoint: 'http://127.0.0.1:9' };

describe('mapStorageError', () => {
  const cases: [string, unknown, string, boolean][] = [
    ['NoSuchBucket', sdkError('NoSuchBucket', 404), 'NO_SUCH_BUCKET', false],
    ['AccessDenied', sdkError('AccessDenied', 403), 'ACCESS_DENIED', false],
    ['InvalidAccessKeyId', sdkError('InvalidAccessKeyId', 403), 'INVALID_CREDENTIALS', false],
    ['SignatureDoesNotMatch', sdkError('SignatureDoesNotMatch', 403), 'INVALID_CREDENTIALS', false],
    ['SlowDown', sdkError('SlowDown', 503), 'THROTTLED', true],
    ['bare 503', sdkError('UnknownError', 503), 'THROTTLED', true],
    ['PreconditionFailed', sdkError('PreconditionFailed', 412), 'CONFLICT', true],
    ['ConditionalRequestConflict', sdkError('ConditionalRequestConflict', 409), 'CONFLICT', true],
    ['MetadataTooLarge', sdkError('MetadataTooLarge', 400), 'METADATA_TOO_LARGE', false],
    ['EntityTooLarge', sdkError('EntityTooLarge', 400), 'ENTITY_TOO_LARGE', false],
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'NETWORK', true],
    ['ENOTFOUND', Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), 'NETWORK', true],
    ['TimeoutError', sdkError('TimeoutError'), 'TIMEOUT', true],
    ['InternalError 500', sdkError('InternalError', 500), 'STORAGE', true],
    ['something else', sdkError('WeirdThing', 400), 'STORAGE', false],
    ['not even an Error', 'boom', 'STORAGE', false],
  ];
  for (const [label, err, code, retryable] of cases) {
    it(`maps ${label} to ${code}`, () => {
      const mapped = mapStorageError(err, ctx);
      expect(mapped).toBeInstanceOf(S3dbError);
      expect(mapped.code).toBe(code);
      expect(mapped.retryable).toBe(retryable);
      expect(mapped.hint).toBeTruthy();
      expect(mapped.details).toMatchObject({ operation: 'PutObject', bucket: 'b1', key: 'k1' });
      expect(JSON.stringify(mapped.toJSON())).not.toContain('abc123secret');
      expect(mapped.message).not.toContain('abc123secret');
    });
  }

  it('uses the engine subclasses for conflicts and metadata limits', () => {
    expect(mapStorageError(sdkError('PreconditionFailed', 412), ctx)).toBeInstanceOf(ConflictError);
    expect(mapStorageError(sdkError('MetadataTooLarge', 400), ctx)).toBeInstanceOf(MetadataLimitError);
  });

  it('names the endpoint in network hints and keeps request ids', () => {
    const mapped = mapStorageError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), ctx);
    expect(mapped.hint).toContain('http://127.0.0.1:9');
    expect(mapStorageError(sdkError('AccessDenied', 403), ctx).details.requestId).toBe('req-1');
  });

  it('passes engine errors through unchanged', () => {
    const original = new ConflictError('x');
    expect(mapStorageError(original, ctx)).toBe(original);
  });
});
