import { describe, expect, it } from 'vitest';
import { parseDaemonConfig, resolveJobs } from '../../src/ops/daemon-config.js';

const base = `
defaults:
  retention: { keepDaily: 7 }
notify:
  webhook: https://hooks.example.com/services/T000/B000/XXXX
jobs:
  - name: shop
    source: postgres://app:\${SHOP_PASSWORD}@db/shop
    repository: /var/backups/shop
    schedule: "0 2 * * *"
  - name: crm
    source: mongodb://db:27017/crm
    repository: s3://backups/crm
    schedule: "30 3 * * *"
    retention: { keepLast: 3 }
    verify: { restoreTest: mongodb://db:27017/crm_scratch }
`;

describe('daemon configuration', () => {
  it('reads YAML, fills in environment variables and defaults', () => {
    const config = parseDaemonConfig(base, 'stowage.yaml', { SHOP_PASSWORD: 's3cret' });
    const jobs = resolveJobs(config);
    expect(jobs[0]).toMatchObject({ source: 'postgres://app:s3cret@db/shop', retention: { keepDaily: 7 } });
    expect(jobs[0]?.notify?.webhook).toMatch(/hooks\.example\.com/);
    expect(jobs[1]).toMatchObject({
      retention: { keepLast: 3 },
      verify: { restoreTest: 'mongodb://db:27017/crm_scratch' },
    });
  });

  it('takes stallTimeoutSeconds per job or as a default, and refuses a negative one', () => {
    const json = (defaults: object, job: object) =>
      JSON.stringify({
        defaults,
        jobs: [
          { name: 'a', source: 'postgres://h/a', repository: '/r', schedule: '@daily', ...job },
          { name: 'b', source: 'postgres://h/b', repository: '/r', schedule: '@daily' },
        ],
      });
    const jobs = resolveJobs(
      parseDaemonConfig(json({ stallTimeoutSeconds: 300 }, { stallTimeoutSeconds: 0 }), 'stowage.json', {}),
    );
    expect(jobs.map((j) => j.stallTimeoutSeconds)).toEqual([0, 300]);
    expect(
      resolveJobs(parseDaemonConfig(json({}, {}), 'stowage.json', {}))[0]?.stallTimeoutSeconds,
    ).toBeUndefined();
    expect(() => parseDaemonConfig(json({}, { stallTimeoutSeconds: -1 }), 'stowage.json', {})).toThrow(
      /stallTimeoutSeconds/,
    );
  });

  it('reads JSON too', () => {
    const json = JSON.stringify({
      jobs: [{ name: 'a', source: 'postgres://h/a', repository: '/r', schedule: '@daily' }],
    });
    expect(parseDaemonConfig(json, 'stowage.json', {}).jobs[0]?.name).toBe('a');
  });

  it('lets STOWAGE__ variables override any value, jobs addressed by name', () => {
    const config = parseDaemonConfig(base, 'stowage.yaml', {
      SHOP_PASSWORD: 'x',
      STOWAGE__JOBS__SHOP__SCHEDULE: '15 1 * * *',
      STOWAGE__JOBS__CRM__RETENTION__KEEP_LAST: '5',
      STOWAGE__S3__ENDPOINT: 'http://minio:9000',
      STOWAGE__METRICS__LISTEN: '9300',
    });
    expect(config.jobs[0]?.schedule).toBe('15 1 * * *');
    expect(config.jobs[1]?.retention).toEqual({ keepLast: 5 });
    expect(config.s3?.endpoint).toBe('http://minio:9000');
    expect(config.metrics?.listen).toBe(9300);
  });

  it('points at the offending key', () => {
    const bad = (text: string, env = {}) => {
      try {
        parseDaemonConfig(text, 'stowage.yaml', { SHOP_PASSWORD: 'x', ...env });
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(bad(base.replace('"0 2 * * *"', '"0 25 * * *"'))).toMatch(
      /invalid config stowage\.yaml: jobs\[0\]\.schedule: invalid cron expression "0 25 \* \* \*"/,
    );
    expect(bad(base.replace('schedule: "30 3 * * *"', 'schedul: "30 3 * * *"'))).toMatch(
      /jobs\[1\]: unknown key "schedul"/,
    );
    expect(bad(base.replace('keepLast: 3', 'keepLast: -3'))).toMatch(/jobs\[1\]\.retention\.keepLast/);
    expect(bad(base.replace('mongodb://db:27017/crm\n', 'mysql://db/crm\n'))).toMatch(
      /jobs\[1\]\.source: unsupported database URL scheme "mysql:"/,
    );
    expect(bad(base.replace('name: crm', 'name: shop'))).toMatch(
      /jobs\[1\]\.name: duplicate job name "shop"/,
    );
    expect(bad(base, { SHOP_PASSWORD: '' })).toMatch(
      /jobs\[0\]\.source: environment variable SHOP_PASSWORD is not set/,
    );
    expect(bad('jobs: [')).toMatch(/not valid YAML/);
    expect(bad('jobs: []')).toMatch(/jobs: list at least one job/);
    expect(bad(base, { STOWAGE__JOBS__NOPE__SCHEDULE: 'x' })).toMatch(
      /STOWAGE__JOBS__NOPE__SCHEDULE: no job named "nope"/,
    );
  });
});
