// S3 helpers for tests: the server the global setup provides, and a fresh
// bucket per test file so tests never see each other's objects.
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { createS3Client, type S3Options } from '../../src/store/s3/s3-client.js';

/** S3 options (endpoint and credentials) for the test server. */
export function s3Options(): S3Options {
  const server = inject('stowageS3');
  return {
    endpoint: server.endpoint,
    region: server.region,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    forcePathStyle: true,
  };
}

/** Creates an empty bucket with a unique name and returns it. */
export async function createTestBucket(prefix = 'stowage-test'): Promise<string> {
  const bucket = `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const client = createS3Client(s3Options());
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return bucket;
}
