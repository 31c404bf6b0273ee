import { listArchives } from '../catalog/list.js';
import { safeName } from '../catalog/naming.js';
import { readAllRunRecords } from '../catalog/run-record.js';
import { computeStatus } from '../catalog/status.js';
import { openRepository } from '../store/open-repository.js';
/**
 * The health of a repository: per database, the newest backup, its age,
 * size and verification, and the last run's outcome. `ok` is false when any
 * database's newest backup is older than `maxAgeMs` (default 25 h), its last
 * run failed, its newest archive failed verification, or the repository holds
 * no backup at all.
 */
export async function status(options) {
    const repository = await openRepository(options.repository, { s3: options.s3 });
    try {
        const archives = await listArchives(repository, {
            encryption: options.encryption,
            database: options.database,
        });
        let runs = await readAllRunRecords(repository);
        if (options.database) {
            const key = safeName(options.database);
            runs = new Map([...runs].filter(([db]) => db === key));
        }
        const databases = computeStatus(archives, runs, options);
        const now = options.now ?? new Date();
        return {
            repository: repository.url,
            ok: databases.length > 0 && databases.every((d) => d.ok),
            databases,
            checkedAt: now.toISOString(),
        };
    }
    finally {
        await repository.close();
    }
}
//# sourceMappingURL=status.js.map