import type { Manifest } from '../archive/manifest.js';
import { kindOfManifest } from '../catalog/backup-kind.js';
import { countItems } from '../engines/nouns.js';
import { formatBytes } from './format-bytes.js';

/** The lines `inspect` prints and `restore` shows before asking for confirmation. */
export function manifestSummary(archive: string, manifest: Manifest, archiveBytes?: number): string[] {
  const seconds = (Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt)) / 1000;
  const raw = manifest.streams.reduce((n, s) => n + s.rawBytes, 0);
  const stored = manifest.streams.reduce((n, s) => n + s.storedBytes, 0);
  const items = manifest.streams.reduce((n, s) => n + s.items, 0);
  const engine = manifest.engine;
  return [
    `archive:     ${archive}`,
    `engine:      ${manifest.engine} ${manifest.serverVersion}`,
    `database:    ${manifest.database}`,
    `source:      ${manifest.source}`,
    `taken:       ${manifest.startedAt} (${seconds.toFixed(1)} s, ${kindOfManifest(manifest)}${manifest.pointInTime ? ', point in time' : ', NOT a single point in time'})`,
    `tool:        stowage ${manifest.tool.version}, format ${manifest.formatVersion}${manifest.encrypted ? ', encrypted' : ''}`,
    ...(manifest.note ? [`note:        ${manifest.note}`] : []),
    // The file's size when known, so it reads as `stowage list` shows it.
    `size:        ${formatBytes(raw)} raw, ${archiveBytes === undefined ? `${formatBytes(stored)} stored` : `${formatBytes(archiveBytes)} archive`}, ${countItems(engine, items)}`,
    ...(manifest.incomplete?.length
      ? [`INCOMPLETE:  the backup lacks ${manifest.incomplete.join(', ')}`]
      : []),
    ...manifest.warnings.map((w) => `warning:     ${w}`),
    `streams:     ${manifest.streams.length}`,
  ];
}
