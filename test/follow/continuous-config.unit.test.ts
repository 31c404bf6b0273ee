import { describe, expect, it } from 'vitest';
import { continuousRetryDelayMs } from '../../src/ops/daemon.js';
import { parseDaemonConfig, resolveJobs } from '../../src/ops/daemon-config.js';

const config = (job: object) =>
  JSON.stringify({ jobs: [{ name: 'shop', source: 'mongodb://db/shop', repository: '/r', ...job }] });

describe('continuous daemon jobs', () => {
  it('take continuous: true (and a segment interval) instead of a schedule', () => {
    const jobs = resolveJobs(parseDaemonConfig(config({ continuous: true, segmentSeconds: 30 }), 'c.json'));
    expect(jobs[0]).toMatchObject({ continuous: true, segmentSeconds: 30 });
    expect(jobs[0]!.schedule).toBeUndefined();
  });

  it('refuse a job with both, or with neither, naming the key', () => {
    expect(() => parseDaemonConfig(config({ continuous: true, schedule: '@daily' }), 'c.json')).toThrow(
      /jobs\[0\]\.schedule: a continuous job runs all the time: leave out its schedule/,
    );
    expect(() => parseDaemonConfig(config({}), 'c.json')).toThrow(
      /jobs\[0\]\.schedule: give a schedule \(cron expression\), or continuous: true/,
    );
    expect(() => parseDaemonConfig(config({ schedule: '@daily', segmentSeconds: 5 }), 'c.json')).toThrow(
      /jobs\[0\]\.segmentSeconds: segmentSeconds applies to continuous jobs only/,
    );
  });

  it('start a failed follow again after a pause that grows to five minutes', () => {
    expect([1, 2, 3, 7, 8, 50].map(continuousRetryDelayMs)).toEqual([
      5_000, 10_000, 20_000, 300_000, 300_000, 300_000,
    ]);
  });
});
