import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { databaseFromUrl, safeName } from '../catalog/naming.js';
import { StowageError } from '../errors.js';
import { backup } from './backup.js';
import { notify } from './notify.js';
import { prune } from './prune.js';
import { verify } from './verify.js';
/** The key source a job's `encryption` setting describes. */
export async function jobKeySource(job, env = process.env) {
    const e = job.encryption;
    if (!e)
        return undefined;
    if ('keyFile' in e)
        return { keyFile: e.keyFile };
    if ('passphraseEnv' in e) {
        const passphrase = env[e.passphraseEnv];
        if (!passphrase)
            throw new StowageError('usage', `job ${job.name}: environment variable ${e.passphraseEnv} is not set`);
        return { passphrase };
    }
    const passphrase = (await readFile(e.passphraseFile, 'utf8')).replace(/\r?\n$/, '');
    return { passphrase };
}
/**
 * One run of a daemon job: back up into the job's repository, verify the
 * new archive (when asked), apply retention, and notify. A failed backup
 * is recorded and reported, never thrown: the daemon keeps running. A failed
 * verification makes the run a failure (the archive stays; the previous
 * verified one is protected from retention).
 */
export async function runJob(job, ctx) {
    const startedAt = new Date().toISOString();
    const warnings = [];
    const outcome = {
        job: job.name,
        status: 'success',
        startedAt,
        finishedAt: startedAt,
        warnings,
    };
    const database = safeName(databaseFromUrl(job.source));
    try {
        const encryption = await jobKeySource(job);
        ctx.log(`job ${job.name}: backup starting`);
        outcome.backup = await backup({
            source: job.source,
            to: job.repository,
            jobs: job.jobs,
            compression: job.compression,
            encryption,
            kind: 'scheduled',
            note: job.note,
            engineOptions: job.engineOptions,
            s3: ctx.s3,
            preflight: ctx.preflight ?? {},
            job: job.name,
            signal: ctx.signal,
            onProgress: ctx.onProgress,
        });
        ctx.log(`job ${job.name}: backed up to ${outcome.backup.archive} (${outcome.backup.bytes} bytes)`);
        if (job.verify) {
            const restoreTest = typeof job.verify === 'object' ? job.verify.restoreTest : undefined;
            outcome.verify = await verify({
                archive: outcome.backup.archive,
                encryption,
                s3: ctx.s3,
                restoreTest,
                restoreOptions: typeof job.verify === 'object' ? job.verify.restoreOptions : undefined,
                signal: ctx.signal,
                onProgress: ctx.onProgress,
            });
            if (!outcome.verify.ok) {
                outcome.status = 'failure';
                outcome.error = `verification failed: ${outcome.verify.problems[0]}`;
            }
            ctx.log(`job ${job.name}: verification ${outcome.verify.ok ? 'passed' : `FAILED: ${outcome.verify.problems.join('; ')}`}`);
        }
        if (job.prune !== false) {
            try {
                outcome.prune = await prune({
                    repository: job.repository,
                    policy: job.retention,
                    database,
                    encryption,
                    s3: ctx.s3,
                });
                if (outcome.prune.deleted.length)
                    ctx.log(`job ${job.name}: retention deleted ${outcome.prune.deleted.join(', ')}`);
            }
            catch (err) {
                warnings.push(`retention: ${err.message}`);
                ctx.log(`job ${job.name}: retention failed: ${err.message}`);
            }
        }
    }
    catch (err) {
        outcome.status = ctx.signal?.aborted ? 'interrupted' : 'failure';
        outcome.error = (err instanceof Error ? err.message : String(err)).split('\n')[0];
        ctx.log(`job ${job.name}: ${outcome.status === 'interrupted' ? 'interrupted' : 'FAILED'}: ${outcome.error}`);
    }
    outcome.finishedAt = new Date().toISOString();
    if (job.notify) {
        const event = {
            status: outcome.status,
            job: job.name,
            database,
            repository: job.repository,
            host: hostname(),
            durationMs: Date.parse(outcome.finishedAt) - Date.parse(startedAt),
            ...(outcome.backup ? { archive: outcome.backup.archive, bytes: outcome.backup.bytes } : {}),
            ...(outcome.verify ? { verified: outcome.verify.ok } : {}),
            ...(outcome.prune ? { pruned: outcome.prune.deleted.length } : {}),
            ...(outcome.error ? { error: outcome.error } : {}),
        };
        try {
            await notify({ url: job.notify.webhook, ...job.notify }, event);
        }
        catch (err) {
            warnings.push(err.message);
            ctx.log(`job ${job.name}: notification failed: ${err.message}`);
        }
    }
    return outcome;
}
//# sourceMappingURL=run-job.js.map