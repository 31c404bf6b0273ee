import { databaseFromUrl, parseArchiveName, safeName } from '../catalog/naming.js';
import type { Repository } from '../store/repository.js';

/**
 * Size of the newest archive of the source's database in the repository (0 when none): the best
 * estimate of the next one, for the backup's free-space check. Archive names carry their time, so
 * the newest is found by name and only it is sized: a local repository of thousands of archives
 * paid a stat per file before every backup. Stores that list sizes anyway (S3) give them with
 * the listing.
 */
export async function lastArchiveSize(repository: Repository, source: string): Promise<number> {
  const key = safeName(databaseFromUrl(source));
  if (!repository.listNames || !repository.fileSize) return newestListed(repository, key);
  const names = await repository.listNames().catch(() => [] as string[]);
  const newestFirst = names
    .map((name) => ({ name, parsed: parseArchiveName(name) }))
    .filter((a) => a.parsed?.database === key)
    .sort((a, b) => b.parsed!.at.getTime() - a.parsed!.at.getTime() || b.name.localeCompare(a.name));
  for (const { name } of newestFirst) {
    // Gone since the listing (a concurrent prune): the next newest stands in.
    const size = await repository.fileSize(name).catch(() => undefined);
    if (size !== undefined) return size;
  }
  return 0;
}

async function newestListed(repository: Repository, key: string): Promise<number> {
  const files = await repository.listFiles().catch(() => []);
  let newest: { at: number; size: number } | undefined;
  for (const f of files) {
    const parsed = parseArchiveName(f.name);
    if (parsed?.database !== key) continue;
    if (!newest || parsed.at.getTime() > newest.at) newest = { at: parsed.at.getTime(), size: f.size };
  }
  return newest?.size ?? 0;
}
