import type { z } from 'zod';
import { type Built, LazySchemas } from '../schema-check/lazy-schemas.js';
import { NEWEST_TRAILER_VERSION, OLDEST_READABLE_VERSION, SPLIT_FOOTER_VERSION } from './format.js';

/**
 * The manifest: everything a reader needs to know about a backup, stored
 * (compressed, and encrypted when the archive is) in the footer. Versioned with
 * the format; validated on read so a damaged or foreign footer is rejected, not
 * half-trusted. Built on first use (lazy-schemas.ts): a backup or restore
 * checks its manifest without loading zod.
 */

const HEX_256 = /^[0-9a-f]{64}$/;

/** The manifest's schemas: `StreamEntry`, `ChainMark`, `Manifest` and `Footer`. */
export const manifestSchemas = new LazySchemas((z) => {
  const StreamEntrySchema = z
    .object({
      name: z.string().min(1),
      /** Rows or documents, as the engine counted them. */
      items: z.number().int().nonnegative(),
      rawBytes: z.number().int().nonnegative(),
      /** Bytes the stream's frames take in the archive, headers included. */
      storedBytes: z.number().int().nonnegative(),
      /**
       * Digest of the raw stream bytes, hex: `blake3` (format 2) or `sha256`
       * (format 1, or where BLAKE3 is not available); exactly one is present.
       * See stream-digest.ts.
       */
      blake3: z.string().regex(HEX_256).optional(),
      sha256: z.string().regex(HEX_256).optional(),
      frames: z.number().int().nonnegative(),
    })
    .refine((e) => (e.blake3 === undefined) !== (e.sha256 === undefined), {
      message: 'a stream needs exactly one digest (blake3 or sha256)',
    });

  /**
   * Continuous backup (`stowage follow`, docs/CONTINUOUS.md): an archive that is
   * a chain's base or one of its change segments says so here.
   */
  const ChainMarkSchema = z.object({
    /** The chain's name: its base archive's name without `.stow`. */
    id: z.string().min(1),
    /** The engine's name for the chain's server-side state (PostgreSQL: slot and publication). */
    feedId: z.string().min(1),
    role: z.enum(['base', 'segment']),
    /** 0 for the base; segments count 1, 2, … without gaps. */
    sequence: z.number().int().nonnegative(),
    /** The position just before this archive's changes: the chain's start (base, first segment) or the previous segment's last. */
    after: z.string().min(1),
    /** Segments: their last transaction's position. */
    last: z.string().min(1).optional(),
    /** Transactions the segment holds (0 for the base). */
    transactions: z.number().int().nonnegative(),
    /** Commit times (server clock) of the segment's first and last transaction. */
    firstCommitAt: z.iso.datetime().optional(),
    lastCommitAt: z.iso.datetime().optional(),
    /** Every change committed up to this moment is in this archive or an earlier one of the chain. */
    coveredUntil: z.iso.datetime().optional(),
  });

  const ManifestSchema = z.object({
    /**
     * The archive's format version: the header's (2; 1 in version 1 archives),
     * or 3 where the footer is split over several frames. Stored as 2 in a split
     * footer's manifest too (it is written first); the footer's own
     * `formatVersion` says 3 there, and the reader puts it here.
     */
    formatVersion: z.number().int().min(OLDEST_READABLE_VERSION).max(NEWEST_TRAILER_VERSION),
    tool: z.object({ name: z.literal('stowage'), version: z.string() }),
    engine: z.string().min(1),
    serverVersion: z.string(),
    database: z.string(),
    /** Source URL with the password removed. */
    source: z.string(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    /** `scheduled`: retention may delete it; `manual`: never pruned (see {@link onDemand}). */
    kind: z.enum(['scheduled', 'manual']),
    /**
     * A `scheduled`-kind backup that was run by hand (`--kind on-demand`):
     * pruned like a scheduled one, shown as on-demand. Absent: not on demand.
     */
    onDemand: z.literal(true).optional(),
    note: z.string().optional(),
    /** True when the whole backup is one consistent point in time. */
    pointInTime: z.boolean(),
    /** Options the backup ran with (compression, engine options, jobs): never secrets. */
    options: z.record(z.string(), z.unknown()),
    encrypted: z.boolean(),
    warnings: z.array(z.string()),
    /**
     * What the source had that the backup could not carry, one entry per kind
     * (`operators: 3`); the backup was made anyway only because that was allowed.
     * Absent (archives before this field, or complete backups): complete.
     */
    incomplete: z.array(z.string()).min(1).optional(),
    streams: z.array(StreamEntrySchema),
    /** Engine-specific description of the schema, enough to rebuild the database. */
    schema: z.unknown(),
    /** Present on a continuous backup's base and segments. */
    chain: ChainMarkSchema.optional(),
  });

  /**
   * The footer: the manifest plus the frame index (per stream, the offset of
   * every data frame), so a reader can fetch any frame of any stream directly.
   */
  const FooterSchema = z.object({
    manifest: ManifestSchema,
    /**
     * A split footer's format version (3), written after everything else once the
     * split is known; the reader puts it in the manifest. Absent in footers of one
     * frame, and in split footers of earlier releases.
     */
    formatVersion: z.literal(SPLIT_FOOTER_VERSION).optional(),
    index: z.array(
      z.object({
        name: z.string(),
        streamId: z.number().int().nonnegative(),
        /** Offsets of the stream's data frames, in sequence order. */
        frames: z.array(z.number().int().nonnegative()),
        /** Total size of each data frame (header + payload + CRC), parallel to `frames`. */
        sizes: z.array(z.number().int().positive()),
        /**
         * Each data frame's payload CRC (its last 4 bytes), parallel to `frames`. The frame header's
         * CRC does not cover the payload, so this is what ties a payload to its place: two payloads
         * exchanged in place fail here instead of restoring in the wrong order. Absent in archives of
         * earlier releases.
         */
        crcs: z.array(z.number().int().nonnegative()).optional(),
      }),
    ),
  });

  return {
    StreamEntry: StreamEntrySchema,
    ChainMark: ChainMarkSchema,
    Manifest: ManifestSchema,
    Footer: FooterSchema,
  };
});

type Schemas = Built<typeof manifestSchemas>;
export type ChainMark = z.infer<Schemas['ChainMark']>;
export type Manifest = z.infer<Schemas['Manifest']>;
export type StreamEntry = z.infer<Schemas['StreamEntry']>;
export type Footer = z.infer<Schemas['Footer']>;

/** What the caller supplies when finishing an archive; the writer adds the stream table and format fields. */
export type ManifestInput = Omit<Manifest, 'formatVersion' | 'streams' | 'encrypted'>;
