import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import { StowageError } from '../errors.js';
/**
 * The daemon's claim on a repository, so that two daemons (two hosts, or a
 * forgotten second process) never back up, prune and verify the same
 * repository at once. It is a small file, `.stowage/daemon.lock`, created
 * only if absent (O_EXCL locally, a conditional PUT on S3) and refreshed by a
 * heartbeat. A lock whose heartbeat is older than `staleAfterMs`, or whose
 * process is gone from this very host, is taken over.
 */
const LOCK_FILE = '.stowage/daemon.lock';
const LockSchema = z.object({
    owner: z.string(),
    host: z.string(),
    pid: z.number().int(),
    startedAt: z.string(),
    heartbeatAt: z.string(),
});
export class RepositoryLock {
    repository;
    info;
    now;
    constructor(repository, info, now) {
        this.repository = repository;
        this.info = info;
        this.now = now;
    }
    /** Takes the lock or throws a StowageError naming who holds it. */
    static async acquire(repository, options = {}) {
        const now = options.now ?? (() => new Date());
        const staleAfter = options.staleAfterMs ?? 10 * 60_000;
        const info = {
            owner: randomUUID(),
            host: hostname(),
            pid: process.pid,
            startedAt: now().toISOString(),
            heartbeatAt: now().toISOString(),
        };
        const body = `${JSON.stringify(info, null, 2)}\n`;
        for (let attempt = 0; attempt < 2; attempt++) {
            if (await repository.createText(LOCK_FILE, body))
                return new RepositoryLock(repository, info, now);
            const held = await readLock(repository);
            if (held === 'missing')
                continue; // released between our two calls: try again
            if (held !== 'unreadable' && !isAbandoned(held, staleAfter, now())) {
                throw new StowageError('repository-locked', `repository ${repository.url} is in use by another stowage daemon (pid ${held.pid} on ${held.host}, running since ${held.startedAt}, last seen ${held.heartbeatAt})`, `stop that daemon or give this one another repository; a lock not refreshed for ${Math.round(staleAfter / 60_000)} minutes is taken over (file ${repository.locate(LOCK_FILE)})`);
            }
            // A dead daemon's lock (or garbage): remove it and race for a fresh one; the loser of the race gets the error above.
            await repository.remove(LOCK_FILE);
        }
        throw new StowageError('repository-locked', `could not lock repository ${repository.url}: another process keeps taking it`);
    }
    /** Refreshes the heartbeat. Throws when the lock was taken over (this daemon must then stop using the repository). */
    async refresh() {
        const held = await readLock(this.repository);
        if (held === 'missing' || held === 'unreadable' || held.owner !== this.info.owner) {
            throw new StowageError('lock-lost', `lost the lock on repository ${this.repository.url}${typeof held === 'object' ? ` to pid ${held.pid} on ${held.host}` : ''}`, 'another daemon took over the repository (was this one paused for a long time?)');
        }
        this.info.heartbeatAt = this.now().toISOString();
        await this.repository.writeText(LOCK_FILE, `${JSON.stringify(this.info, null, 2)}\n`);
    }
    /** Releases the lock if it is still ours. */
    async release() {
        const held = await readLock(this.repository).catch(() => 'unreadable');
        if (typeof held === 'object' && held.owner === this.info.owner)
            await this.repository.remove(LOCK_FILE);
    }
}
async function readLock(repository) {
    const text = await repository.readText(LOCK_FILE);
    if (text === undefined)
        return 'missing';
    try {
        const parsed = LockSchema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : 'unreadable';
    }
    catch {
        return 'unreadable';
    }
}
function isAbandoned(lock, staleAfterMs, now) {
    if (now.getTime() - Date.parse(lock.heartbeatAt) > staleAfterMs)
        return true;
    // On this host, a lock whose process is gone is abandoned right away (a crash, kill -9).
    if (lock.host === hostname() && lock.pid !== process.pid) {
        try {
            process.kill(lock.pid, 0);
            return false;
        }
        catch (err) {
            return err.code === 'ESRCH';
        }
    }
    return false;
}
//# sourceMappingURL=repository-lock.js.map