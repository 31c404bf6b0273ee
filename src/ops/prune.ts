import type { Encryption } from '../archive/archive-keys.js';
import type { ChainWindow } from '../catalog/chain-window.js';
import { heartbeatFileName, listChains } from '../catalog/chains.js';
import { removeStaleLeftovers, summarizeLeftovers } from '../catalog/leftovers.js';
import { listArchives } from '../catalog/list.js';
import { chainIdOf, parseSegmentName } from '../catalog/naming.js';
import { planRetention, type RetentionDecision, type RetentionPolicy } from '../catalog/retention.js';
import { openRepository } from '../store/open-repository.js';
import type { StoreOptions } from '../store/registry.js';
import { type Leftover, type Repository, verificationFileName } from '../store/repository.js';

export interface PruneOptions {
  /** A local folder or `s3://bucket/prefix`. */
  repository: string | Repository;
  policy?: RetentionPolicy;
  /** Only this database's archives (default: every database, each on its own). */
  database?: string;
  /** Decide and report, delete nothing. */
  dryRun?: boolean;
  /** Also delete scheduled archives known to be damaged (kept for salvage by default). */
  deleteDamaged?: boolean;
  /**
   * Silence after which a leftover whose writer cannot be asked (S3 multipart
   * upload, claim from another host) counts as abandoned and is removed. Default 24 h.
   */
  staleAfterMs?: number;
  /** Key to read encrypted manifests (dates then come from the manifest instead of the name). */
  encryption?: Encryption;
  /** Store settings by store kind (`{ s3: { endpoint } }`), over what the environment gives. */
  stores?: StoreOptions;
}

export interface PruneResult {
  repository: string;
  dryRun: boolean;
  /** Every archive with its verdict and reasons, newest first per database. */
  decisions: RetentionDecision[];
  /** Names deleted (or that would be, on a dry run). */
  deleted: string[];
  kept: string[];
  /** Archives that are not restorable: they took no keep slot; `deleted` says whether they went. */
  unrestorable: {
    name: string;
    database: string;
    health: 'damaged' | 'unknown';
    why: string;
    deleted: boolean;
  }[];
  /** Leftovers of killed backups removed (or that would be, on a dry run): unfinished files, multipart uploads. */
  leftoversRemoved: { name: string; kind: Leftover['kind']; bytes: number; why: string }[];
  /** One line per problem a person should look at (unrestorable archives, leftovers that could not be removed). */
  warnings: string[];
  /**
   * Change segments deleted (or that would be) with their chain's base, or
   * left without one. A kept base keeps every segment of its chain.
   */
  segmentsDeleted: string[];
  /** The continuous backup chains left, with the window each can still restore to. */
  chains: { id: string; database: string; window?: ChainWindow; gap?: string }[];
}

/**
 * Applies a retention policy to a repository: archives no rule keeps are
 * deleted together with their verification records. Only restorable archives
 * fill keep slots; damaged or uncheckable ones are reported in `unrestorable`
 * and `warnings` and left in place (damaged ones deleted only with
 * `deleteDamaged`). Manual backups and the newest verified backup of each
 * database always stay, and a policy that would delete every backup of a
 * database is refused before anything goes.
 */
export async function prune(options: PruneOptions): Promise<PruneResult> {
  const owned = typeof options.repository === 'string';
  const repository =
    typeof options.repository === 'string'
      ? await openRepository(options.repository, { stores: options.stores })
      : options.repository;
  try {
    const archives = await listArchives(repository, {
      encryption: options.encryption,
      database: options.database,
    });
    const chains = await listChains(repository, {
      encryption: options.encryption,
      ...(options.database ? { database: options.database } : {}),
    });
    // Each database's newest chain is the one `follow` writes to: its base stays whatever the rules say.
    const live = new Map<string, string>();
    for (const c of chains) live.set(c.database, c.base.name);
    const planned = planRetention(
      archives.map((a) => ({
        name: a.name,
        database: a.database,
        at: a.at,
        kind: a.kind,
        verified: a.verification?.ok === true,
        health: a.health,
      })),
      options.policy,
      { deleteDamaged: options.deleteDamaged },
    );
    const liveBases = new Set(live.values());
    const decisions = planned.map((d) =>
      !d.keep && liveBases.has(d.name)
        ? { ...d, keep: true, reasons: ['base of the newest continuous backup chain'] }
        : d,
    );
    const doomed = decisions.filter((d) => !d.keep).map((d) => d.name);
    const kept = decisions.filter((d) => d.keep).map((d) => d.name);
    const unrestorable = archives
      .filter((a) => a.health !== 'restorable')
      .map((a) => ({
        name: a.name,
        database: a.database,
        health: a.health as 'damaged' | 'unknown',
        why: a.damage ?? a.unreadable ?? 'could not be checked',
        deleted: doomed.includes(a.name),
      }));
    const warnings = unrestorable.map(
      (u) =>
        `${u.name} is ${u.health === 'damaged' ? 'damaged' : 'not checkable'} (${u.why}): it counts for no keep rule and ${
          u.deleted ? (options.dryRun ? 'would be deleted' : 'was deleted') : 'was left in place'
        }`,
    );
    const leftoverOptions = { staleAfterMs: options.staleAfterMs };
    const leftovers = options.dryRun
      ? {
          removed: (await summarizeLeftovers(repository, leftoverOptions)).items.filter((l) => l.stale),
          failures: [],
        }
      : await removeStaleLeftovers(repository, leftoverOptions);
    warnings.push(...leftovers.failures);
    // Segments go with their base: without it they restore nothing. Segments
    // whose base is already gone (a prune stopped half-way) go too.
    const files = await repository.listFiles();
    const remaining = new Set(files.map((f) => f.name).filter((n) => !doomed.includes(n)));
    const doomedChains = new Set(doomed.map(chainIdOf));
    const segmentsDeleted = files
      .map((f) => f.name)
      .filter((n) => {
        const chain = parseSegmentName(n)?.chain;
        return chain !== undefined && (doomedChains.has(chain) || !remaining.has(`${chain}.stow`));
      })
      .filter((n) => !options.database || doomedChains.has(parseSegmentName(n)!.chain));
    if (!options.dryRun) {
      for (const name of doomed) {
        // The archive first: a verification record without its archive is harmless, the reverse would lose the record.
        await repository.remove(name);
        await repository.remove(verificationFileName(name)).catch(() => {});
      }
      for (const name of segmentsDeleted) await repository.remove(name);
      for (const chain of doomedChains) await repository.remove(heartbeatFileName(chain)).catch(() => {});
    }
    const chainsLeft = chains
      .filter((c) => !doomed.includes(c.base.name))
      .map((c) => ({
        id: c.id,
        database: c.database,
        ...(c.window ? { window: c.window } : {}),
        ...(c.gap ? { gap: c.gap } : {}),
      }));
    return {
      repository: repository.url,
      dryRun: options.dryRun === true,
      decisions,
      deleted: doomed,
      kept,
      unrestorable,
      leftoversRemoved: leftovers.removed.map((l) => ({
        name: l.name,
        kind: l.kind,
        bytes: l.bytes,
        why: l.why,
      })),
      warnings,
      segmentsDeleted,
      chains: chainsLeft,
    };
  } finally {
    if (owned) await repository.close();
  }
}
