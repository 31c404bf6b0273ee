import { createHash } from 'node:crypto';
import type { Manifest } from './manifest.js';

/**
 * A stable identity of what restoring an archive with some options produces:
 * SHA-256 over the engine, the schema, every stream's name, counts and digest
 * (the manifest's per-stream BLAKE3/SHA-256 covers every byte), and the
 * restore options. When and where the backup was taken are left out: two
 * archives with the same contents restore to the same database. Any changed
 * byte or option gives another key, so a cache keyed by it never serves stale
 * contents.
 */
export function archiveContentKey(manifest: Manifest, restoreOptions: Record<string, unknown>): string {
  const streams = manifest.streams.map((s) => [
    s.name,
    s.items,
    s.rawBytes,
    s.blake3 ?? `sha256:${s.sha256}`,
  ]);
  return createHash('sha256')
    .update(
      canonicalJson({ engine: manifest.engine, schema: manifest.schema, streams, options: restoreOptions }),
    )
    .digest('hex');
}

/** JSON with object keys sorted, so equal values always give equal text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
