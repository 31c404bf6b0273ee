import { z } from 'zod';
import type { Repository } from '../store/repository.js';
declare const LockSchema: z.ZodObject<{
    owner: z.ZodString;
    host: z.ZodString;
    pid: z.ZodNumber;
    startedAt: z.ZodString;
    heartbeatAt: z.ZodString;
}, z.core.$strip>;
export type LockInfo = z.infer<typeof LockSchema>;
export interface LockOptions {
    /** A lock not refreshed for this long belongs to a dead daemon. Default 10 minutes. */
    staleAfterMs?: number;
    now?: () => Date;
}
export declare class RepositoryLock {
    private readonly repository;
    readonly info: LockInfo;
    private readonly now;
    private constructor();
    /** Takes the lock or throws a StowageError naming who holds it. */
    static acquire(repository: Repository, options?: LockOptions): Promise<RepositoryLock>;
    /** Refreshes the heartbeat. Throws when the lock was taken over (this daemon must then stop using the repository). */
    refresh(): Promise<void>;
    /** Releases the lock if it is still ours. */
    release(): Promise<void>;
}
export {};
