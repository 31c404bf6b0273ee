import { randomBytes } from 'node:crypto';
import { beforeAll } from 'vitest';
import { createTestBucket, s3Options } from '../support/s3.js';
import { describeRepositoryContract } from './repository-contract.js';

let bucket: string;
beforeAll(async () => {
  bucket = await createTestBucket('stowage-contract');
});

describeRepositoryContract('s3', {
  location: async () => `s3://${bucket}/contract-${randomBytes(4).toString('hex')}`,
  stores: () => ({ s3: s3Options() }),
  reportsUnfinishedWrites: false,
});
