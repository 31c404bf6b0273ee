import type { ProgressListener } from '../progress.js';
import { redactUrl } from '../redact.js';
import { scrub } from './backup.js';
import { dropDatabase } from './database-probe.js';

/**
 * Drops the scratch databases a check created (`verify --restore-test`, `bench --restore-into`).
 * A drop that fails is a warning naming the database: the check's own result or error stands.
 */
export async function dropScratchDatabases(
  urls: readonly string[],
  phase: string,
  progress: ProgressListener,
): Promise<void> {
  progress({ type: 'phase', phase, message: `dropping scratch database ${urls.map(redactUrl).join(', ')}` });
  for (const url of urls) {
    await dropDatabase(url).catch((err: unknown) => {
      progress({
        type: 'warning',
        message: `could not drop scratch database ${redactUrl(url)}: ${(scrub(err, url) as Error).message}`,
      });
    });
  }
}
