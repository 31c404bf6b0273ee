import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { describeRepositoryContract } from './repository-contract.js';

let dir: string;
let count = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stowage-local-contract-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeRepositoryContract('local', {
  async location() {
    const path = join(dir, `repo-${++count}`);
    await mkdir(path);
    return path;
  },
  reportsUnfinishedWrites: true,
});
