// What the vitest globalSetup hands to test workers: the S3 endpoint of this run (or null when disabled).
export interface S3TestServer {
  backend: 'radosgw' | 'external' | 'localstack';
  endpoint: string;
  region: string;
  /** Absent: the AWS default credential chain (external endpoints only). */
  accessKeyId?: string;
  secretAccessKey?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3Server: S3TestServer | null;
  }
}
