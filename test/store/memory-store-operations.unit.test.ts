// The operations work on any store through the registry: list, verify,
// status and prune on an in-memory repository, no server and no file.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { list } from '../../src/ops/list.js';
import { prune } from '../../src/ops/prune.js';
import { status } from '../../src/ops/status.js';
import { verify } from '../../src/ops/verify.js';
import { clearMemorySpace } from '../../src/store/memory/memory-repository.js';
import { openRepository } from '../../src/store/open-repository.js';
import { addTestArchive } from '../ops/make-archive.js';

describe('operations on a memory repository', () => {
  it('list, verify, status and prune find and keep the archives a repository handle wrote', async () => {
    const space = `ops-${randomBytes(4).toString('hex')}`;
    const url = `memory://${space}/prod`;
    const repository = await openRepository(url);
    const day = (d: number) => new Date(Date.UTC(2026, 10, d, 2, 0, 0));
    const names = [];
    for (const d of [20, 21, 22]) names.push(await addTestArchive(repository, { startedAt: day(d) }));
    await repository.close();

    const listed = await list({ repository: url });
    expect(listed.map((a) => a.name).sort()).toEqual([...names].sort());
    const checked = await verify({ archive: `${url}/${names[2]}` });
    expect(checked.problems).toEqual([]);
    expect(checked.ok).toBe(true);
    expect((await status({ repository: url, now: day(22) })).ok).toBe(true);
    const pruned = await prune({ repository: url, policy: { keepLast: 1 } });
    expect(pruned.deleted.sort()).toEqual(names.slice(0, 2).sort());
    expect((await list({ repository: url })).map((a) => a.name)).toEqual([names[2]]);

    clearMemorySpace(space);
    expect(await list({ repository: url })).toEqual([]);
  });
});
