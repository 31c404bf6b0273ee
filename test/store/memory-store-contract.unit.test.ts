import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { clearMemorySpace } from '../../src/store/memory/memory-repository.js';
import { openRepository } from '../../src/store/open-repository.js';
import { describeRepositoryContract } from './repository-contract.js';

describeRepositoryContract('memory', {
  location: async () => `memory://contract-${randomBytes(4).toString('hex')}/backups/prod`,
  reportsUnfinishedWrites: true,
});

describe('memory spaces', () => {
  it('keep repositories under different prefixes of one space apart, archives and leftovers alike', async () => {
    const space = `apart-${randomBytes(4).toString('hex')}`;
    const prod = await openRepository(`memory://${space}/prod`);
    const other = await openRepository(`memory://${space}/other`);
    const root = await openRepository(`memory://${space}`);
    const sink = await other.createArchive('busy.stow');
    await sink.write(Buffer.from('x'));
    const done = await other.createArchive('done.stow');
    await done.commit();
    expect(await prod.listFiles()).toEqual([]);
    expect(await prod.listLeftovers()).toEqual([]);
    expect(await root.listFiles()).toEqual([]);
    expect(await root.listLeftovers()).toEqual([]);
    expect((await other.listLeftovers()).map((l) => l.name)).toEqual(['busy.stow']);
    await sink.abort();
    clearMemorySpace(space);
    expect(await other.listFiles()).toEqual([]);
  });
});
