// Test-only guard: fail any S3 request whose user metadata (x-amz-meta-*) exceeds AWS's 2 KB, since no local
// S3 server enforces the limit. AWS counts the UTF-8 bytes of each key and value (without the prefix).
import type { S3Client } from '@aws-sdk/client-s3';

export const AWS_USER_METADATA_LIMIT = 2048;

export class UserMetadataTooLarge extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
    readonly op: string,
  ) {
    super(`${op}: user metadata is ${bytes} bytes (> ${limit}); AWS would reply 400 MetadataTooLarge`);
    this.name = 'UserMetadataTooLarge';
  }
}

export function userMetadataBytes(headers: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(headers)) {
    const lk = k.toLowerCase();
    if (!lk.startsWith('x-amz-meta-')) continue;
    n += Buffer.byteLength(lk.slice('x-amz-meta-'.length), 'utf8') + Buffer.byteLength(String(v), 'utf8');
  }
  return n;
}

export interface MetadataSize {
  op: string;
  bytes: number;
}

/** Adds the guard to a test client; returns the sizes seen so tests can assert on the maximum. */
export function enforceUserMetadataLimit(client: S3Client, limit = AWS_USER_METADATA_LIMIT): MetadataSize[] {
  const seen: MetadataSize[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const req = args.request as { headers?: Record<string, string> };
      const bytes = userMetadataBytes(req.headers ?? {});
      const op = String(context.commandName ?? 'unknown');
      if (bytes > 0) seen.push({ op, bytes });
      if (bytes > limit) throw new UserMetadataTooLarge(bytes, limit, op); // nothing is sent
      return next(args);
    },
    { step: 'build', name: 'enforceUserMetadataLimit', tags: ['TEST_ONLY'] },
  );
  return seen;
}
