import { describe, expect, it } from 'vitest';
import { isoWeek, planRetention, type RetentionCandidate } from '../../src/catalog/retention.js';

const day = 86_400_000;
const base = Date.parse('2026-11-21T02:00:00Z');

function daily(n: number, extra: Partial<RetentionCandidate> = {}): RetentionCandidate[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `shop-${i}`,
    database: 'shop',
    at: new Date(base - i * day),
    kind: 'scheduled' as const,
    verified: false,
    health: 'restorable' as const,
    ...extra,
  }));
}

const kept = (d: ReturnType<typeof planRetention>) => d.filter((x) => x.keep).map((x) => x.name);
const pruned = (d: ReturnType<typeof planRetention>) => d.filter((x) => !x.keep).map((x) => x.name);

describe('GFS retention', () => {
  it('keeps one backup per day for 30 days by default', () => {
    const decisions = planRetention(daily(40));
    expect(kept(decisions)).toHaveLength(30);
    expect(kept(decisions)[0]).toBe('shop-0');
    expect(pruned(decisions)).toEqual(Array.from({ length: 10 }, (_, i) => `shop-${30 + i}`));
    expect(decisions.find((d) => d.name === 'shop-35')?.reasons).toEqual(['not selected by any keep rule']);
  });

  it('keeps the newest backup of each bucket and says why', () => {
    const twoADay = [
      ...daily(5),
      ...daily(5).map((c) => ({ ...c, name: `${c.name}-early`, at: new Date(c.at.getTime() - 3_600_000) })),
    ];
    const decisions = planRetention(twoADay, { keepDaily: 3, keepLast: 1 });
    expect(kept(decisions)).toEqual(['shop-0', 'shop-1', 'shop-2']);
    expect(decisions.find((d) => d.name === 'shop-0')?.reasons).toEqual([
      'last 1 (#1)',
      'daily 2026-11-21 (1 of 3)',
    ]);
  });

  it('combines weekly, monthly and yearly rules', () => {
    const decisions = planRetention(daily(400), {
      keepDaily: 7,
      keepWeekly: 4,
      keepMonthly: 6,
      keepYearly: 2,
    });
    const names = kept(decisions);
    // 7 daily; weekly adds the newest of 3 earlier weeks; monthly and yearly add older ones.
    expect(names.slice(0, 7)).toEqual(daily(7).map((c) => c.name));
    const reasons = decisions.filter((d) => d.keep).flatMap((d) => d.reasons);
    expect(reasons.filter((r) => r.startsWith('weekly'))).toHaveLength(4);
    expect(reasons.filter((r) => r.startsWith('monthly'))).toHaveLength(6);
    expect(reasons.filter((r) => r.startsWith('yearly'))).toHaveLength(2);
    expect(names.length).toBeLessThan(20);
  });

  it('never prunes manual backups and does not let them take a scheduled slot', () => {
    const candidates = [
      ...daily(5),
      {
        name: 'shop-manual',
        database: 'shop',
        at: new Date(base - 100 * day),
        kind: 'manual' as const,
        verified: false,
        health: 'restorable' as const,
      },
    ];
    const decisions = planRetention(candidates, { keepLast: 2 });
    expect(kept(decisions)).toEqual(['shop-0', 'shop-1', 'shop-manual']);
    expect(decisions.find((d) => d.name === 'shop-manual')?.reasons).toEqual([
      'manual backup (never pruned automatically)',
    ]);
  });

  it('never prunes the newest verified backup', () => {
    const candidates = daily(10).map((c, i) => ({ ...c, verified: i === 6 }));
    const decisions = planRetention(candidates, { keepLast: 3 });
    expect(kept(decisions)).toEqual(['shop-0', 'shop-1', 'shop-2', 'shop-6']);
    expect(decisions.find((d) => d.name === 'shop-6')?.reasons).toEqual(['newest verified backup']);
  });

  it('does not let a damaged newest archive take a slot or push intact ones out', () => {
    const candidates = daily(3).map((c, i) => ({ ...c, health: i === 0 ? ('damaged' as const) : c.health }));
    const byDefault = planRetention(candidates);
    expect(kept(byDefault)).toEqual(['shop-0', 'shop-1', 'shop-2']);
    const damaged = byDefault.find((d) => d.name === 'shop-0')!;
    expect(damaged.reasons.join(' ')).toMatch(/damaged: takes no keep slot/);
    expect(damaged.reasons.join(' ')).not.toMatch(/daily/);
    expect(byDefault.find((d) => d.name === 'shop-1')?.reasons).toEqual(['daily 2026-11-20 (1 of 30)']);

    const lastOne = planRetention(candidates, { keepLast: 1 });
    expect(kept(lastOne)).toEqual(['shop-0', 'shop-1']);
    expect(pruned(lastOne)).toEqual(['shop-2']);
    expect(lastOne.find((d) => d.name === 'shop-1')?.reasons).toEqual(['last 1 (#1)']);
  });

  it('keeps the newest restorable archive of each bucket', () => {
    const sameDay = [
      { ...daily(1)[0]!, name: 'late', health: 'damaged' as const },
      { ...daily(1)[0]!, name: 'unchecked', at: new Date(base - 1_000), health: 'unknown' as const },
      { ...daily(1)[0]!, name: 'early', at: new Date(base - 3_600_000) },
      { ...daily(1)[0]!, name: 'earliest', at: new Date(base - 7_200_000) },
    ];
    const decisions = planRetention(sameDay, { keepDaily: 1 });
    expect(decisions.find((d) => d.name === 'early')?.reasons).toEqual(['daily 2026-11-21 (1 of 1)']);
    expect(kept(decisions)).toEqual(['late', 'unchecked', 'early']);
    expect(pruned(decisions)).toEqual(['earliest']);
  });

  it('deletes damaged scheduled archives only when asked, never unknown or manual ones', () => {
    const candidates = [
      ...daily(3).map((c, i) => ({ ...c, health: i === 0 ? ('damaged' as const) : c.health })),
      { ...daily(1)[0]!, name: 'shop-unknown', at: new Date(base - 10 * day), health: 'unknown' as const },
      {
        ...daily(1)[0]!,
        name: 'shop-manual',
        at: new Date(base - 11 * day),
        kind: 'manual' as const,
        health: 'damaged' as const,
      },
    ];
    const decisions = planRetention(candidates, { keepLast: 5 }, { deleteDamaged: true });
    expect(pruned(decisions)).toEqual(['shop-0']);
    expect(decisions.find((d) => d.name === 'shop-0')?.reasons).toEqual(['damaged (--delete-damaged)']);
    // Everything damaged, and asked to delete damaged: nothing restorable is lost, so it is not refused.
    const allBad = daily(2).map((c) => ({ ...c, health: 'damaged' as const }));
    expect(pruned(planRetention(allBad, { keepLast: 1 }, { deleteDamaged: true }))).toEqual([
      'shop-0',
      'shop-1',
    ]);
  });

  it('does not count a damaged archive as the newest verified backup', () => {
    const candidates = daily(10).map((c, i) => ({
      ...c,
      verified: i === 4 || i === 7,
      health: i === 4 ? ('damaged' as const) : ('restorable' as const),
    }));
    const decisions = planRetention(candidates, { keepLast: 2 });
    expect(decisions.find((d) => d.name === 'shop-7')?.reasons).toEqual(['newest verified backup']);
    expect(kept(decisions)).toEqual(['shop-0', 'shop-1', 'shop-4', 'shop-7']);
  });

  it('applies the policy to each database on its own', () => {
    const other = daily(3).map((c) => ({ ...c, name: c.name.replace('shop', 'crm'), database: 'crm' }));
    const decisions = planRetention([...daily(3), ...other], { keepLast: 1 });
    expect(kept(decisions)).toEqual(['shop-0', 'crm-0']);
  });

  it('refuses a policy that keeps nothing', () => {
    expect(() => planRetention(daily(3), { keepDaily: 0 })).toThrow(/keeps nothing/);
    expect(() => planRetention(daily(3), { keepLast: -1 })).toThrow(/whole number/);
  });

  it('numbers ISO weeks like ISO 8601', () => {
    expect(isoWeek(new Date('2026-01-01T00:00:00Z'))).toBe('2026-W01');
    expect(isoWeek(new Date('2027-01-01T00:00:00Z'))).toBe('2026-W53');
    expect(isoWeek(new Date('2026-11-21T12:00:00Z'))).toBe('2026-W47');
  });
});
