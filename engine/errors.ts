// Errors are data: a stable code, a plain message, details that name what was involved, a hint that says
// what to do next, and whether retrying may help. Every layer above maps these, never raw SDK errors.

export const ERROR_CODES = [
  'VALIDATION',
  'NOT_FOUND',
  'CONFLICT',
  'METADATA_TOO_LARGE',
  'ENTITY_TOO_LARGE',
  'NO_SUCH_BUCKET',
  'ACCESS_DENIED',
  'INVALID_CREDENTIALS',
  'THROTTLED',
  'NETWORK',
  'TIMEOUT',
  'STORAGE',
  'CONFIG',
  'ENCRYPTION',
  'CORRUPTED',
  'PLUGIN',
  'CANCELLED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Context attached to an error: never a secret, never a document's contents. */
export type ErrorDetails = Record<string, unknown>;

export interface S3dbErrorOptions {
  details?: ErrorDetails;
  hint?: string;
  retryable?: boolean;
  cause?: unknown;
}

/** Base of every error the engine throws. */
export class S3dbError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  readonly hint: string | undefined;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: S3dbErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
  }

  /** A plain object safe to log or return to a client (no stack, no cause). */
  toJSON(): {
    code: ErrorCode;
    name: string;
    message: string;
    details: ErrorDetails;
    hint?: string;
    retryable: boolean;
  } {
    return {
      code: this.code,
      name: this.name,
      message: this.message,
      details: this.details,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      retryable: this.retryable,
    };
  }
}

/** One failing field of a validation: `path` is dotted (`profile.name`), `message` says what is wrong. */
export interface FieldIssue {
  path: string;
  message: string;
}

export class ValidationError extends S3dbError {
  readonly issues: FieldIssue[];
  constructor(message: string, options: S3dbErrorOptions & { issues?: FieldIssue[] } = {}) {
    super('VALIDATION', message, options);
    this.issues = options.issues ?? [];
  }
  override toJSON() {
    return { ...super.toJSON(), issues: this.issues };
  }
}

export class NotFoundError extends S3dbError {
  constructor(message: string, options: S3dbErrorOptions = {}) {
    super('NOT_FOUND', message, options);
  }
}

/** A conditional write failed (412), or an insert met an existing id. */
export class ConflictError extends S3dbError {
  constructor(message: string, options: S3dbErrorOptions = {}) {
    super('CONFLICT', message, options);
  }
}

/** The user metadata of one object would exceed S3's 2 KB. */
export class MetadataLimitError extends S3dbError {
  constructor(message: string, options: S3dbErrorOptions = {}) {
    super('METADATA_TOO_LARGE', message, options);
  }
}

/** Anything the object store reported: the code says which kind. */
export class StorageError extends S3dbError {}

export class ConfigError extends S3dbError {
  constructor(message: string, options: S3dbErrorOptions = {}) {
    super('CONFIG', message, options);
  }
}

export class EncryptionError extends S3dbError {
  constructor(message: string, options: S3dbErrorOptions = {}) {
    super('ENCRYPTION', message, options);
  }
}

export class PluginError extends S3dbError {
  constructor(message: string, options: S3dbErrorOptions = {}) {
    super('PLUGIN', message, options);
  }
}

/** The caller aborted the call (its AbortSignal fired): the work stopped before its next store request. */
export class CancelledError extends S3dbError {
  constructor(message = 'The call was cancelled', options: S3dbErrorOptions = {}) {
    super('CANCELLED', message, {
      hint: 'Nothing more was done after the cancel; call again to continue.',
      ...options,
    });
  }
}

/** Throws CancelledError when `signal` has fired: called before each store request of long work. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

export function isS3dbError(value: unknown): value is S3dbError {
  return value instanceof S3dbError;
}
