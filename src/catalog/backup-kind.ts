import type { Manifest } from '../archive/manifest.js';

/**
 * What a backup is to retention and to the person reading the list:
 * `scheduled` (the daemon or cron ran it; retention may delete it),
 * `on-demand` (run by hand, and retention may delete it like a scheduled one),
 * `manual` (run by hand and kept until deleted by hand).
 */
export const BACKUP_KINDS = ['scheduled', 'on-demand', 'manual'] as const;

export type BackupKind = (typeof BACKUP_KINDS)[number];

/** Whether `prune` may delete a backup of this kind by its keep rules. */
export function isPrunable(kind: BackupKind): boolean {
  return kind !== 'manual';
}

/**
 * The manifest fields for a kind. The manifest's `kind` keeps the two values
 * every stowage release reads (an unknown value fails older readers' schema,
 * which would show the archive as damaged); an on-demand backup is
 * `scheduled` there, the retention class older releases apply to it too, and
 * `onDemand` says it was run by hand.
 */
export function manifestKindFields(kind: BackupKind): Pick<Manifest, 'kind' | 'onDemand'> {
  if (kind === 'on-demand') return { kind: 'scheduled', onDemand: true };
  return { kind };
}

/** The kind a manifest records. */
export function kindOfManifest(manifest: Pick<Manifest, 'kind' | 'onDemand'>): BackupKind {
  return manifest.onDemand ? 'on-demand' : manifest.kind;
}
