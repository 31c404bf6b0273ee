import { z } from 'zod';
import { UsageError } from '../errors.js';
declare const WebhookSchema: z.ZodObject<{
    webhook: z.ZodURL;
    onFailure: z.ZodOptional<z.ZodBoolean>;
    onSuccess: z.ZodOptional<z.ZodBoolean>;
    format: z.ZodOptional<z.ZodEnum<{
        json: "json";
        slack: "slack";
    }>>;
}, z.core.$strict>;
export declare const DaemonConfigSchema: z.ZodObject<{
    jobs: z.ZodArray<z.ZodObject<{
        name: z.ZodString;
        source: z.ZodString;
        repository: z.ZodString;
        schedule: z.ZodString;
        timezone: z.ZodOptional<z.ZodString>;
        retention: z.ZodOptional<z.ZodObject<{
            keepLast: z.ZodOptional<z.ZodNumber>;
            keepHourly: z.ZodOptional<z.ZodNumber>;
            keepDaily: z.ZodOptional<z.ZodNumber>;
            keepWeekly: z.ZodOptional<z.ZodNumber>;
            keepMonthly: z.ZodOptional<z.ZodNumber>;
            keepYearly: z.ZodOptional<z.ZodNumber>;
        }, z.core.$strict>>;
        prune: z.ZodOptional<z.ZodBoolean>;
        verify: z.ZodOptional<z.ZodUnion<readonly [z.ZodBoolean, z.ZodObject<{
            restoreTest: z.ZodOptional<z.ZodString>;
            restoreOptions: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodUnknown>>;
        }, z.core.$strict>]>>;
        notify: z.ZodOptional<z.ZodObject<{
            webhook: z.ZodURL;
            onFailure: z.ZodOptional<z.ZodBoolean>;
            onSuccess: z.ZodOptional<z.ZodBoolean>;
            format: z.ZodOptional<z.ZodEnum<{
                json: "json";
                slack: "slack";
            }>>;
        }, z.core.$strict>>;
        encryption: z.ZodOptional<z.ZodUnion<readonly [z.ZodObject<{
            keyFile: z.ZodString;
        }, z.core.$strict>, z.ZodObject<{
            passphraseEnv: z.ZodString;
        }, z.core.$strict>, z.ZodObject<{
            passphraseFile: z.ZodString;
        }, z.core.$strict>]>>;
        jobs: z.ZodOptional<z.ZodNumber>;
        compression: z.ZodOptional<z.ZodUnion<readonly [z.ZodLiteral<"none">, z.ZodNumber]>>;
        engineOptions: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodUnknown>>;
        note: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>>;
    defaults: z.ZodOptional<z.ZodObject<{
        repository: z.ZodOptional<z.ZodString>;
        retention: z.ZodOptional<z.ZodObject<{
            keepLast: z.ZodOptional<z.ZodNumber>;
            keepHourly: z.ZodOptional<z.ZodNumber>;
            keepDaily: z.ZodOptional<z.ZodNumber>;
            keepWeekly: z.ZodOptional<z.ZodNumber>;
            keepMonthly: z.ZodOptional<z.ZodNumber>;
            keepYearly: z.ZodOptional<z.ZodNumber>;
        }, z.core.$strict>>;
        verify: z.ZodOptional<z.ZodUnion<readonly [z.ZodBoolean, z.ZodObject<{
            restoreTest: z.ZodOptional<z.ZodString>;
            restoreOptions: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodUnknown>>;
        }, z.core.$strict>]>>;
        notify: z.ZodOptional<z.ZodObject<{
            webhook: z.ZodURL;
            onFailure: z.ZodOptional<z.ZodBoolean>;
            onSuccess: z.ZodOptional<z.ZodBoolean>;
            format: z.ZodOptional<z.ZodEnum<{
                json: "json";
                slack: "slack";
            }>>;
        }, z.core.$strict>>;
        encryption: z.ZodOptional<z.ZodUnion<readonly [z.ZodObject<{
            keyFile: z.ZodString;
        }, z.core.$strict>, z.ZodObject<{
            passphraseEnv: z.ZodString;
        }, z.core.$strict>, z.ZodObject<{
            passphraseFile: z.ZodString;
        }, z.core.$strict>]>>;
        jobs: z.ZodOptional<z.ZodNumber>;
        compression: z.ZodOptional<z.ZodUnion<readonly [z.ZodLiteral<"none">, z.ZodNumber]>>;
        timezone: z.ZodOptional<z.ZodString>;
    }, z.core.$strict>>;
    s3: z.ZodOptional<z.ZodObject<{
        endpoint: z.ZodOptional<z.ZodString>;
        region: z.ZodOptional<z.ZodString>;
        accessKeyId: z.ZodOptional<z.ZodString>;
        secretAccessKey: z.ZodOptional<z.ZodString>;
        sessionToken: z.ZodOptional<z.ZodString>;
        forcePathStyle: z.ZodOptional<z.ZodBoolean>;
        serverSideEncryption: z.ZodOptional<z.ZodEnum<{
            AES256: "AES256";
            "aws:kms": "aws:kms";
            "aws:kms:dsse": "aws:kms:dsse";
        }>>;
        kmsKeyId: z.ZodOptional<z.ZodString>;
        storageClass: z.ZodOptional<z.ZodString>;
        partSizeMiB: z.ZodOptional<z.ZodNumber>;
        queueSize: z.ZodOptional<z.ZodNumber>;
    }, z.core.$strict>>;
    notify: z.ZodOptional<z.ZodObject<{
        webhook: z.ZodURL;
        onFailure: z.ZodOptional<z.ZodBoolean>;
        onSuccess: z.ZodOptional<z.ZodBoolean>;
        format: z.ZodOptional<z.ZodEnum<{
            json: "json";
            slack: "slack";
        }>>;
    }, z.core.$strict>>;
    metrics: z.ZodOptional<z.ZodObject<{
        listen: z.ZodOptional<z.ZodUnion<readonly [z.ZodString, z.ZodNumber, z.ZodLiteral<false>]>>;
    }, z.core.$strict>>;
    preflight: z.ZodOptional<z.ZodObject<{
        abortBelowBytes: z.ZodOptional<z.ZodNumber>;
        warnBelowBytes: z.ZodOptional<z.ZodNumber>;
    }, z.core.$strict>>;
    shutdownGraceSeconds: z.ZodOptional<z.ZodNumber>;
}, z.core.$strict>;
export type DaemonConfig = z.infer<typeof DaemonConfigSchema>;
export type JobConfig = DaemonConfig['jobs'][number];
/** A job with the file's defaults applied. */
export type ResolvedJob = JobConfig & {
    notify?: z.infer<typeof WebhookSchema>;
};
/** Defaults and the top-level `notify` filled into each job. */
export declare function resolveJobs(config: DaemonConfig): ResolvedJob[];
/** A configuration problem, with the file and the key it concerns. */
export declare class ConfigError extends UsageError {
    constructor(file: string, problems: string[]);
}
/** Reads, interpolates, overrides and validates a configuration file. */
export declare function loadDaemonConfig(file: string, env?: NodeJS.ProcessEnv): Promise<DaemonConfig>;
/** Parses configuration text (YAML, of which JSON is a subset; `.json` files are parsed as strict JSON). */
export declare function parseDaemonConfig(text: string, file: string, env?: NodeJS.ProcessEnv): DaemonConfig;
/** `jobs[0].schedule` */
export declare function formatPath(path: PropertyKey[]): string;
/**
 * Applies `STOWAGE__A__B=value` overrides: the path segments after
 * `STOWAGE__`, separated by `__`, name keys case-insensitively, and a job by
 * its name (`STOWAGE__JOBS__SHOP__SCHEDULE='0 3 * * *'`). Values are read as
 * JSON when they parse (numbers, booleans, objects), else as strings.
 */
export declare function applyEnvOverrides(config: Record<string, unknown>, env: NodeJS.ProcessEnv, problems: string[]): void;
export {};
