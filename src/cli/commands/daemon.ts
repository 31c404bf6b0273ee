import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import type { CliContext } from '../context.js';
import { QuietFailure } from '../quiet-failure.js';

export function daemonCommand(ctx: CliContext): Command {
  const command = new Command('daemon')
    .description('run scheduled backups from a config file: retention, verification, metrics and alerts')
    .requiredOption(
      '-c, --config <file>',
      'YAML or JSON config (env STOWAGE_CONFIG)',
      process.env.STOWAGE_CONFIG,
    )
    .option('--check', 'validate the config and show the schedule, then exit')
    .option('--once', 'run every job once now, then exit (exit 1 if any failed)')
    .option('--json', 'with --check or --once: print the result as JSON on stdout');
  command.addHelpText(
    'after',
    `
Example config (stowage.yaml):
  jobs:
    - name: shop
      source: postgres://backup:\${SHOP_DB_PASSWORD}@db/shop
      repository: s3://company-backups/shop
      schedule: "0 2 * * *"          # cron, UTC unless timezone: is set
      retention: { keepDaily: 30, keepWeekly: 8, keepMonthly: 12 }
      verify: true                   # or { restoreTest: postgres://…/shop_verify }
  notify: { webhook: https://hooks.slack.com/services/…, onSuccess: false }
  metrics: { listen: 127.0.0.1:9187 } # GET /metrics, /healthz

Any value can be overridden from the environment: STOWAGE__JOBS__SHOP__SCHEDULE="0 3 * * *".
SIGTERM stops cleanly: no new runs, a running backup is abandoned (partial archive removed)
after shutdownGraceSeconds, repository locks released.`,
  );
  command.action(async (opts: Record<string, unknown>) => {
    // A running daemon's output is a log, not one JSON object.
    if (opts.json && !opts.check && !opts.once)
      throw new UsageError('--json goes with --check or --once', 'drop --json to run the daemon');
    // Loaded here, not at start-up: the daemon's libraries (cron, YAML, metrics) are for this command only.
    const [{ Cron }, { loadDaemonConfig, resolveJobs }] = await Promise.all([
      import('croner'),
      import('../../ops/daemon-config.js'),
    ]);
    const config = await loadDaemonConfig(opts.config as string);
    const jobs = resolveJobs(config);
    if (opts.check) {
      const schedule = jobs.map((j) => ({
        name: j.name,
        source: redactUrl(j.source),
        repository: j.repository,
        schedule: j.continuous ? 'continuous' : j.schedule!,
        nextRuns: j.continuous
          ? []
          : new Cron(j.schedule!, { paused: true, timezone: j.timezone })
              .nextRuns(3)
              .map((d) => d.toISOString()),
      }));
      if (opts.json) ctx.json({ config: opts.config, valid: true, jobs: schedule });
      else {
        ctx.result(`${opts.config}: valid, ${jobs.length} job${jobs.length === 1 ? '' : 's'}`);
        for (const j of schedule)
          ctx.result(
            `  ${j.name}: ${j.source} → ${j.repository}, ${j.schedule === 'continuous' ? 'continuous (follows changes)' : `"${j.schedule}", next ${j.nextRuns[0] ?? 'never'}`}`,
          );
      }
      return;
    }
    const log = (line: string) => ctx.log(`${new Date().toISOString()} ${line}`);
    if (opts.once) {
      const { Daemon } = await import('../../ops/daemon.js');
      const daemon = await Daemon.start(config, { log, metricsListen: false, continuous: false });
      const outcomes = [];
      try {
        // Continuous jobs never end by themselves: --once runs the scheduled ones.
        for (const job of jobs.filter((j) => !j.continuous)) {
          if (ctx.signal.aborted) break;
          outcomes.push(await daemon.trigger(job.name));
        }
      } finally {
        await daemon.stop();
      }
      if (opts.json) ctx.json({ outcomes });
      if (outcomes.some((o) => o.status !== 'success')) throw new QuietFailure('a job failed');
      return;
    }
    const { Daemon } = await import('../../ops/daemon.js');
    const daemon = await Daemon.start(config, { log });
    // Runs until SIGTERM/SIGINT, then stops cleanly.
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await daemon.stop();
  });
  return command;
}
