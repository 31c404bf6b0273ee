import { listArchives } from '../catalog/list.js';
import { openRepository } from '../store/open-repository.js';
/**
 * Lists a repository's archives, oldest first, with what each manifest says
 * (engine, database, kind, size, duration, note) and the latest verification
 * result. Reads only each archive's tail.
 */
export async function list(options) {
    const repository = await openRepository(options.repository, { s3: options.s3 });
    try {
        return await listArchives(repository, { encryption: options.encryption, database: options.database });
    }
    finally {
        await repository.close();
    }
}
//# sourceMappingURL=list.js.map