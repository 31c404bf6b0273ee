import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Cron } from 'croner';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RETENTION_RULES, type RetentionRuleKey } from '../catalog/retention.js';
import type { EngineName } from '../engines/engine.js';
import { engineNameForUrl, enginePlugin } from '../engines/registry.js';
import { UsageError } from '../errors.js';
import { storeConfigShape } from '../store/registry.js';
import { webhookUrlProblem } from './notify.js';

/**
 * The daemon's configuration file (YAML or JSON). Unknown keys are errors,
 * so a typo is reported instead of silently ignored; every error names the
 * key (`jobs[0].schedule`). Values may refer to the environment with
 * `${VAR}` or `${VAR:-default}`, which keeps secrets out of the file, and
 * `STOWAGE__…` variables override any value (see {@link applyEnvOverrides}).
 */

const count = z.number().int().min(0);

const RetentionSchema = z
  .object(
    Object.fromEntries(RETENTION_RULES.map((r) => [r.key, count.optional()])) as Record<
      RetentionRuleKey,
      z.ZodOptional<typeof count>
    >,
  )
  .strict();

const EncryptionSchema = z.union([
  z.object({ keyFile: z.string().min(1) }).strict(),
  z.object({ passphraseEnv: z.string().min(1) }).strict(),
  z.object({ passphraseFile: z.string().min(1) }).strict(),
]);

const WebhookSchema = z
  .object({
    webhook: z.url().superRefine((url, ctx) => {
      const problem = webhookUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    onFailure: z.boolean().optional(),
    onSuccess: z.boolean().optional(),
    format: z.enum(['slack', 'json']).optional(),
  })
  .strict();

const VerifySchema = z.union([
  z.boolean(),
  z
    .object({
      /** Scratch database for a restore test after every backup. */
      restoreTest: z.string().optional(),
      restoreOptions: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
]);

const PreflightSchema = z
  .object({
    abortBelowBytes: count.optional(),
    warnBelowBytes: count.optional(),
  })
  .strict();

const cronExpression = z.string().superRefine((value, ctx) => {
  try {
    new Cron(value, { paused: true }).stop();
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid cron expression "${value}": ${(err as Error).message}`,
    });
  }
});

const databaseUrl = z.string().superRefine((value, ctx) => {
  try {
    engineNameForUrl(value);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

const JobSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'job names use letters, digits, . _ -'),
    source: databaseUrl,
    repository: z.string().min(1),
    /** Cron expression (5 fields, or 6 with seconds), e.g. `0 2 * * *`. Not for continuous jobs. */
    schedule: cronExpression.optional(),
    /**
     * Continuous backup (`stowage follow`): the job follows the source's changes
     * for as long as the daemon runs, resuming its chain after a restart.
     */
    continuous: z.boolean().optional(),
    /** Continuous jobs: publish a segment once its first change is this many seconds old (default 60). */
    segmentSeconds: z.number().positive().optional(),
    /** Continuous jobs: warn through `notify` when the chain's replication slot holds more WAL than this (default 1024). */
    maxRetainedWalMib: z.number().positive().optional(),
    timezone: z.string().optional(),
    retention: RetentionSchema.optional(),
    /** Apply retention after each run (default true). */
    prune: z.boolean().optional(),
    verify: VerifySchema.optional(),
    notify: WebhookSchema.optional(),
    encryption: EncryptionSchema.optional(),
    jobs: z.number().int().min(1).max(64).optional(),
    compression: z.union([z.literal('none'), z.number().int().min(1).max(19)]).optional(),
    engineOptions: z.record(z.string(), z.unknown()).optional(),
    note: z.string().optional(),
    /** Seconds without bytes moving before a run is ended as stalled (default 120, 0 = never). */
    stallTimeoutSeconds: z.number().min(0).optional(),
    /** Keep backups of a source with objects stowage cannot carry, marked INCOMPLETE (default false: the run fails). */
    allowIncomplete: z.boolean().optional(),
  })
  .strict();

export const DaemonConfigSchema = z
  .object({
    jobs: z.array(JobSchema).min(1, 'list at least one job'),
    defaults: z
      .object({
        repository: z.string().optional(),
        retention: RetentionSchema.optional(),
        verify: VerifySchema.optional(),
        notify: WebhookSchema.optional(),
        encryption: EncryptionSchema.optional(),
        jobs: z.number().int().min(1).max(64).optional(),
        compression: z.union([z.literal('none'), z.number().int().min(1).max(19)]).optional(),
        timezone: z.string().optional(),
        stallTimeoutSeconds: z.number().min(0).optional(),
      })
      .strict()
      .optional(),
    /** Store settings, one key per store (`s3:`), as each store's options schema declares them. */
    ...storeConfigShape(z),
    notify: WebhookSchema.optional(),
    metrics: z
      .object({
        /** `host:port` or a port; default `127.0.0.1:9187`. `false` turns the endpoint off. */
        listen: z
          .union([
            z.string().superRefine((value, ctx) => {
              const problem = listenProblem(value);
              if (problem) ctx.addIssue({ code: 'custom', message: problem });
            }),
            z.number().int().min(0).max(65535),
            z.literal(false),
          ])
          .optional(),
      })
      .strict()
      .optional(),
    preflight: PreflightSchema.optional(),
    /** Seconds a running backup may take to finish after SIGTERM before it is abandoned (default 0: abandon at once). */
    shutdownGraceSeconds: z.number().min(0).optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.jobs.forEach((job, i) => {
      if (seen.has(job.name))
        ctx.addIssue({
          code: 'custom',
          path: ['jobs', i, 'name'],
          message: `duplicate job name "${job.name}"`,
        });
      seen.add(job.name);
      if (job.continuous && job.schedule !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['jobs', i, 'schedule'],
          message: 'a continuous job runs all the time: leave out its schedule',
        });
      if (!job.continuous && job.schedule === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['jobs', i, 'schedule'],
          message: 'give a schedule (cron expression), or continuous: true',
        });
      if (!job.continuous && job.segmentSeconds !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['jobs', i, 'segmentSeconds'],
          message: 'segmentSeconds applies to continuous jobs only',
        });
      const engine = engineOf(job.source);
      if (!engine) return;
      unknownKeys(job.engineOptions, optionKeys(engine).backup, ['jobs', i, 'engineOptions'], ctx);
      if (typeof job.verify === 'object')
        unknownKeys(
          job.verify.restoreOptions,
          optionKeys(engine).restore,
          ['jobs', i, 'verify', 'restoreOptions'],
          ctx,
        );
      else if (job.verify === undefined && typeof config.defaults?.verify === 'object')
        unknownKeys(
          config.defaults.verify.restoreOptions,
          optionKeys(engine).restore,
          ['defaults', 'verify', 'restoreOptions'],
          ctx,
          ` (for job ${job.name}, a ${engine} source)`,
        );
    });
  });

/** The keys engine options may hold, per engine (its plugin's): a typo there is an error like anywhere else. */
function optionKeys(engine: EngineName): { backup: readonly string[]; restore: readonly string[] } {
  return enginePlugin(engine).optionKeys;
}

function engineOf(url: string): EngineName | undefined {
  try {
    return engineNameForUrl(url);
  } catch {
    return undefined; // reported by the `source` check
  }
}

function unknownKeys(
  options: Record<string, unknown> | undefined,
  known: readonly string[],
  path: PropertyKey[],
  ctx: z.RefinementCtx,
  context = '',
): void {
  const unknown = Object.keys(options ?? {}).filter((k) => !known.includes(k));
  if (unknown.length === 0) return;
  ctx.addIssue({
    code: 'custom',
    path,
    message: `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}${context}; known: ${known.join(', ')}`,
  });
}

/** Where the metrics endpoint listens: `PORT` or `HOST:PORT` (default host 127.0.0.1). */
export function parseListen(listen: string | number): { host: string; port: number } {
  if (typeof listen === 'number') return { host: '127.0.0.1', port: listen };
  const problem = listenProblem(listen);
  if (problem) throw new UsageError(`metrics.listen: ${problem}`);
  const m = /^(?:(.*):)?(\d+)$/.exec(listen)!;
  return { host: m[1] || '127.0.0.1', port: Number(m[2]) };
}

function listenProblem(listen: string): string | undefined {
  const m = /^(?:(.*):)?(\d+)$/.exec(listen);
  if (!m || Number(m[2]) > 65535) return `must be PORT or HOST:PORT with a port up to 65535, got "${listen}"`;
  return undefined;
}

export type DaemonConfig = z.infer<typeof DaemonConfigSchema>;
export type JobConfig = DaemonConfig['jobs'][number];

/** A job with the file's defaults applied. */
export type ResolvedJob = JobConfig & {
  notify?: z.infer<typeof WebhookSchema>;
};

/** Defaults and the top-level `notify` filled into each job. */
export function resolveJobs(config: DaemonConfig): ResolvedJob[] {
  const d = config.defaults ?? {};
  return config.jobs.map((job) => ({
    ...job,
    retention: job.retention ?? d.retention,
    verify: job.verify ?? d.verify,
    notify: job.notify ?? d.notify ?? config.notify,
    encryption: job.encryption ?? d.encryption,
    jobs: job.jobs ?? d.jobs,
    compression: job.compression ?? d.compression,
    timezone: job.timezone ?? d.timezone,
    stallTimeoutSeconds: job.stallTimeoutSeconds ?? d.stallTimeoutSeconds,
  }));
}

/** A configuration problem, with the file and the key it concerns. */
export class ConfigError extends UsageError {
  constructor(file: string, problems: string[]) {
    super(
      `invalid config ${file}: ${problems.join('; ')}`,
      'fix the named key; `stowage daemon --check --config FILE` validates without starting',
    );
    this.name = 'ConfigError';
  }
}

/** Reads, interpolates, overrides and validates a configuration file. */
export async function loadDaemonConfig(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DaemonConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'check the --config path',
    );
  }
  return parseDaemonConfig(text, file, env);
}

/** Parses configuration text (YAML, of which JSON is a subset; `.json` files are parsed as strict JSON). */
export function parseDaemonConfig(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): DaemonConfig {
  let raw: unknown;
  try {
    raw = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new ConfigError(file, [
      `not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`,
    ]);
  }
  if (raw === null || typeof raw !== 'object') throw new ConfigError(file, ['the file holds no settings']);
  const problems: string[] = [];
  const interpolated = interpolate(raw, env, [], problems);
  applyEnvOverrides(interpolated as Record<string, unknown>, env, problems);
  if (problems.length) throw new ConfigError(file, problems);
  const result = DaemonConfigSchema.safeParse(interpolated);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues
        .slice(0, 5)
        .map((issue) => `${formatPath(issue.path) || '(top level)'}: ${issueMessage(issue)}`),
    );
  }
  return result.data;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return issue.message;
}

/** `jobs[0].schedule` */
export function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

/** Replaces `${VAR}` and `${VAR:-default}` in every string value. */
function interpolate(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: PropertyKey[],
  problems: string[],
): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
      (_m, name: string, fallback?: string) => {
        const v = env[name];
        if (v !== undefined && v !== '') return v;
        if (fallback !== undefined) return fallback;
        problems.push(`${formatPath(path)}: environment variable ${name} is not set`);
        return '';
      },
    );
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...path, i], problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env, [...path, k], problems)]),
    );
  }
  return value;
}

/**
 * Applies `STOWAGE__A__B=value` overrides: the path segments after
 * `STOWAGE__`, separated by `__`, name keys case-insensitively, and a job by
 * its name (`STOWAGE__JOBS__SHOP__SCHEDULE='0 3 * * *'`). Values are read as
 * JSON when they parse (numbers, booleans, objects), else as strings.
 */
export function applyEnvOverrides(
  config: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  problems: string[],
): void {
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('STOWAGE__') || value === undefined) continue;
    const segments = name.slice('STOWAGE__'.length).split('__').filter(Boolean);
    if (segments.length === 0) continue;
    let node: unknown = config;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const last = i === segments.length - 1;
      if (Array.isArray(node)) {
        const item = node.find(
          (x) =>
            x && typeof x === 'object' && loose(String((x as { name?: unknown }).name)) === loose(segment),
        );
        if (!item) {
          problems.push(`${name}: no job named "${segment.toLowerCase()}"`);
          break;
        }
        if (last) {
          problems.push(`${name}: override a job's keys, not the whole job`);
          break;
        }
        node = item;
        continue;
      }
      if (!node || typeof node !== 'object') {
        problems.push(`${name}: cannot override inside a value`);
        break;
      }
      const obj = node as Record<string, unknown>;
      const key = Object.keys(obj).find((k) => loose(k) === loose(segment)) ?? camelCase(segment);
      if (last) obj[key] = parseValue(value);
      else {
        obj[key] ??= {};
        node = obj[key];
      }
    }
  }
}

/** Environment names cannot hold `-` or `.` and are usually upper case: compare names without case or separators. */
function loose(name: string): string {
  return name.toLowerCase().replace(/[-_.]/g, '');
}

function camelCase(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function parseValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
