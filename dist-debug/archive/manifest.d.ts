import { z } from 'zod';
export declare const StreamEntrySchema: z.ZodObject<{
    name: z.ZodString;
    items: z.ZodNumber;
    rawBytes: z.ZodNumber;
    storedBytes: z.ZodNumber;
    blake3: z.ZodOptional<z.ZodString>;
    sha256: z.ZodOptional<z.ZodString>;
    frames: z.ZodNumber;
}, z.core.$strip>;
export declare const ManifestSchema: z.ZodObject<{
    formatVersion: z.ZodNumber;
    tool: z.ZodObject<{
        name: z.ZodLiteral<"stowage">;
        version: z.ZodString;
    }, z.core.$strip>;
    engine: z.ZodEnum<{
        mongodb: "mongodb";
        postgres: "postgres";
    }>;
    serverVersion: z.ZodString;
    database: z.ZodString;
    source: z.ZodString;
    startedAt: z.ZodISODateTime;
    finishedAt: z.ZodISODateTime;
    kind: z.ZodEnum<{
        manual: "manual";
        scheduled: "scheduled";
    }>;
    note: z.ZodOptional<z.ZodString>;
    pointInTime: z.ZodBoolean;
    options: z.ZodRecord<z.ZodString, z.ZodUnknown>;
    encrypted: z.ZodBoolean;
    warnings: z.ZodArray<z.ZodString>;
    streams: z.ZodArray<z.ZodObject<{
        name: z.ZodString;
        items: z.ZodNumber;
        rawBytes: z.ZodNumber;
        storedBytes: z.ZodNumber;
        blake3: z.ZodOptional<z.ZodString>;
        sha256: z.ZodOptional<z.ZodString>;
        frames: z.ZodNumber;
    }, z.core.$strip>>;
    schema: z.ZodUnknown;
}, z.core.$strip>;
export type Manifest = z.infer<typeof ManifestSchema>;
export type StreamEntry = z.infer<typeof StreamEntrySchema>;
/** What the caller supplies when finishing an archive; the writer adds the stream table and format fields. */
export type ManifestInput = Omit<Manifest, 'formatVersion' | 'streams' | 'encrypted'>;
/**
 * The footer: the manifest plus the frame index (per stream, the offset of
 * every data frame), so a reader can fetch any frame of any stream directly.
 */
export declare const FooterSchema: z.ZodObject<{
    manifest: z.ZodObject<{
        formatVersion: z.ZodNumber;
        tool: z.ZodObject<{
            name: z.ZodLiteral<"stowage">;
            version: z.ZodString;
        }, z.core.$strip>;
        engine: z.ZodEnum<{
            mongodb: "mongodb";
            postgres: "postgres";
        }>;
        serverVersion: z.ZodString;
        database: z.ZodString;
        source: z.ZodString;
        startedAt: z.ZodISODateTime;
        finishedAt: z.ZodISODateTime;
        kind: z.ZodEnum<{
            manual: "manual";
            scheduled: "scheduled";
        }>;
        note: z.ZodOptional<z.ZodString>;
        pointInTime: z.ZodBoolean;
        options: z.ZodRecord<z.ZodString, z.ZodUnknown>;
        encrypted: z.ZodBoolean;
        warnings: z.ZodArray<z.ZodString>;
        streams: z.ZodArray<z.ZodObject<{
            name: z.ZodString;
            items: z.ZodNumber;
            rawBytes: z.ZodNumber;
            storedBytes: z.ZodNumber;
            blake3: z.ZodOptional<z.ZodString>;
            sha256: z.ZodOptional<z.ZodString>;
            frames: z.ZodNumber;
        }, z.core.$strip>>;
        schema: z.ZodUnknown;
    }, z.core.$strip>;
    index: z.ZodArray<z.ZodObject<{
        name: z.ZodString;
        streamId: z.ZodNumber;
        frames: z.ZodArray<z.ZodNumber>;
        sizes: z.ZodArray<z.ZodNumber>;
    }, z.core.$strip>>;
}, z.core.$strip>;
export type Footer = z.infer<typeof FooterSchema>;
