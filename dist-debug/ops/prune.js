import { listArchives } from '../catalog/list.js';
import { planRetention } from '../catalog/retention.js';
import { openRepository } from '../store/open-repository.js';
import { verificationFileName } from '../store/repository.js';
/**
 * Applies a retention policy to a repository: archives no rule keeps are
 * deleted together with their verification records. Manual backups and the
 * newest verified backup of each database always stay, and a policy that
 * would delete every backup of a database is refused before anything goes.
 */
export async function prune(options) {
    const owned = typeof options.repository === 'string';
    const repository = typeof options.repository === 'string'
        ? await openRepository(options.repository, { s3: options.s3 })
        : options.repository;
    try {
        const archives = await listArchives(repository, {
            encryption: options.encryption,
            database: options.database,
        });
        const decisions = planRetention(archives.map((a) => ({
            name: a.name,
            database: a.database,
            at: a.at,
            kind: a.kind,
            verified: a.verification?.ok === true,
        })), options.policy);
        const doomed = decisions.filter((d) => !d.keep).map((d) => d.name);
        const kept = decisions.filter((d) => d.keep).map((d) => d.name);
        if (!options.dryRun) {
            for (const name of doomed) {
                // The archive first: a verification record without its archive is harmless, the reverse would lose the record.
                await repository.remove(name);
                await repository.remove(verificationFileName(name)).catch(() => { });
            }
        }
        return { repository: repository.url, dryRun: options.dryRun === true, decisions, deleted: doomed, kept };
    }
    finally {
        if (owned)
            await repository.close();
    }
}
//# sourceMappingURL=prune.js.map