// The one place where AWS SDK / S3 / network errors become engine errors: a stable code, a hint a person or an
// agent can act on, and details naming bucket, key and operation. The raw AWS message is never copied (it can
// carry request signatures or string-to-sign); the original error stays reachable as `cause` for debugging.
import {
  ConflictError,
  MetadataLimitError,
  NotFoundError,
  S3dbError,
  StorageError,
  type ErrorCode,
  type ErrorDetails,
} from '../errors.js';

export interface StorageErrorContext {
  operation: string;
  bucket?: string;
  key?: string;
  /** A redacted endpoint (never credentials), named in network hints. */
  endpoint?: string;
}

/** The fields of an SDK error we look at; everything optional because anything can be thrown. */
interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  errno?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown; attempts?: unknown };
  $response?: { statusCode?: unknown };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeTooSkewed',
]);
const THROTTLE_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'RequestThrottled',
]);
const CREDENTIAL_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'CredentialsProviderError',
]);

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The error's S3 code (`NoSuchBucket`), network code (`ECONNREFUSED`) or name, whichever it has. */
export function awsErrorCode(err: unknown): string {
  if (typeof err !== 'object' || err === null) return 'Unknown';
  const e = err as SdkErrorShape;
  return str(e.Code) ?? str(e.code) ?? str(e.name) ?? 'Unknown';
}

function awsHttpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** True when S3 says the object (not the bucket) does not exist: GetObject's NoSuchKey, HeadObject's bare 404. */
export function isMissingObject(err: unknown): boolean {
  const code = awsErrorCode(err);
  if (code === 'NoSuchBucket') return false;
  return code === 'NoSuchKey' || code === 'NotFound' || awsHttpStatus(err) === 404;
}

/** Maps anything a storage call threw into an S3dbError. Engine errors pass through unchanged. */
export function mapStorageError(err: unknown, context: StorageErrorContext): S3dbError {
  if (err instanceof S3dbError) return err;
  const code = awsErrorCode(err);
  const status = awsHttpStatus(err);
  const where = context.key === undefined ? `bucket "${context.bucket ?? '?'}"` : `"${context.key}"`;
  const endpoint = context.endpoint ?? 'the S3 endpoint';
  const details: ErrorDetails = {
    operation: context.operation,
    ...(context.bucket === undefined ? {} : { bucket: context.bucket }),
    ...(context.key === undefined ? {} : { key: context.key }),
    awsCode: code,
    ...(status === undefined ? {} : { httpStatus: status }),
  };
  const requestId = (err as SdkErrorShape | null)?.$metadata?.requestId;
  if (typeof requestId === 'string') details.requestId = requestId;
  // HTTP attempts the SDK made (retries included): > 1 on a 412 means an earlier attempt may have landed.
  const attempts = (err as SdkErrorShape | null)?.$metadata?.attempts;
  if (typeof attempts === 'number') details.attempts = attempts;
  const opts = (hint: string, retryable = false) => ({ details, hint, retryable, cause: err });
  const storage = (c: ErrorCode, message: string, hint: string, retryable = false) =>
    new StorageError(c, message, opts(hint, retryable));

  if (code === 'NoSuchBucket') {
    return storage(
      'NO_SUCH_BUCKET',
      `Bucket "${context.bucket ?? '?'}" does not exist`,
      'Create the bucket first (e.g. `aws s3 mb s3://BUCKET`), or fix the bucket name in the connection string.',
    );
  }
  if (CREDENTIAL_CODES.has(code) || (err as SdkErrorShape | null)?.name === 'CredentialsProviderError') {
    return storage(
      'INVALID_CREDENTIALS',
      `S3 rejected the credentials (${code}) during ${context.operation}`,
      'Check the access key and secret in the connection string (URL-encode special characters such as / + @ as %2F %2B %40), or the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_PROFILE used by the default credential chain.',
    );
  }
  if (code === 'AccessDenied' || code === 'AllAccessDisabled' || code === 'AccountProblem' || status === 403) {
    return storage(
      'ACCESS_DENIED',
      `Access denied to ${where} during ${context.operation}`,
      'Grant the credentials s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket on this bucket and prefix.',
    );
  }
  if (code === 'PreconditionFailed' || code === 'ConditionalRequestConflict' || status === 412 || status === 409) {
    return new ConflictError(
      `Conditional write to ${where} failed: the object changed or exists`,
      opts('Another writer got there first; read the object again and retry the change.', true),
    );
  }
  if (code === 'MetadataTooLarge') {
    return new MetadataLimitError(
      `S3 rejected the user metadata of ${where} as larger than 2 KB`,
      opts('Move large fields to the object body (behavior "body-overflow" or "body-only").'),
    );
  }
  if (code === 'EntityTooLarge') {
    return storage(
      'ENTITY_TOO_LARGE',
      `Object ${where} is larger than S3 accepts in one PUT`,
      'Keep documents under 5 GB (and far smaller in practice): split large content across several documents.',
    );
  }
  if (THROTTLE_CODES.has(code) || status === 503 || status === 429) {
    return storage(
      'THROTTLED',
      `S3 is throttling requests (${code}) during ${context.operation}`,
      'Retry after a short pause, lower the parallelism, or spread keys across more prefixes.',
      true,
    );
  }
  if (TIMEOUT_CODES.has(code) || (err as SdkErrorShape | null)?.name === 'TimeoutError') {
    return storage(
      'TIMEOUT',
      `Timed out talking to ${endpoint} during ${context.operation}`,
      `Check that ${endpoint} is reachable and not overloaded; raise connectionTimeoutMs/requestTimeoutMs in the connection string if the network is slow.`,
      true,
    );
  }
  if (NETWORK_CODES.has(code) || NETWORK_CODES.has(String((err as SdkErrorShape | null)?.errno ?? ''))) {
    return storage(
      'NETWORK',
      `Cannot reach ${endpoint} (${code}) during ${context.operation}`,
      `Check that the S3 server at ${endpoint} is running and the host/port in the connection string are right.`,
      true,
    );
  }
  if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) {
    return new NotFoundError(`Object ${where} does not exist`, opts('List the keys to see what exists.'));
  }
  if (code === 'InvalidBucketName') {
    return storage(
      'CONFIG',
      `"${context.bucket ?? '?'}" is not a valid bucket name`,
      'Bucket names are 3-63 characters of lower-case letters, digits, dots and hyphens.',
    );
  }
  if (code === 'KeyTooLongError') {
    return storage(
      'STORAGE',
      `Key ${where} is too long`,
      'Keys (with the connection prefix) may be at most 1024 bytes.',
    );
  }
  if (/region/i.test(code) || code === 'AuthorizationHeaderMalformed' || code === 'PermanentRedirect') {
    return storage(
      'CONFIG',
      `The bucket is in another region than the client uses (${code})`,
      'Add ?region=THE_BUCKET_REGION to the connection string.',
    );
  }
  const retryable = status !== undefined && status >= 500;
  return storage(
    'STORAGE',
    `S3 ${context.operation} on ${where} failed (${code}${status === undefined ? '' : `, HTTP ${status}`})`,
    retryable
      ? 'The S3 server had an internal error; retry later.'
      : 'Check the connection string, the bucket and the credentials; details.awsCode names what S3 reported.',
    retryable,
  );
}
