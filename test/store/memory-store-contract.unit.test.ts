import { randomBytes } from 'node:crypto';
import { describeRepositoryContract } from './repository-contract.js';

describeRepositoryContract('memory', {
  location: async () => `memory://contract-${randomBytes(4).toString('hex')}/backups/prod`,
  reportsUnfinishedWrites: true,
});
