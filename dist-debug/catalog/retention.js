import { StowageError, UsageError } from '../errors.js';
/** The policy used when none is given: one backup per day for 30 days. */
export const DEFAULT_RETENTION = { keepDaily: 30 };
const RULES = [
    { key: 'keepHourly', label: 'hourly', bucket: (d) => d.toISOString().slice(0, 13) },
    { key: 'keepDaily', label: 'daily', bucket: (d) => d.toISOString().slice(0, 10) },
    { key: 'keepWeekly', label: 'weekly', bucket: isoWeek },
    { key: 'keepMonthly', label: 'monthly', bucket: (d) => d.toISOString().slice(0, 7) },
    { key: 'keepYearly', label: 'yearly', bucket: (d) => d.toISOString().slice(0, 4) },
];
/** Fills in the default and rejects nonsense (negative or fractional counts, a policy that keeps nothing). */
export function normalizePolicy(policy) {
    const given = policy ?? {};
    const anyGiven = Object.values(given).some((v) => v !== undefined);
    const source = anyGiven ? given : DEFAULT_RETENTION;
    const out = {
        keepLast: source.keepLast ?? 0,
        keepHourly: source.keepHourly ?? 0,
        keepDaily: source.keepDaily ?? 0,
        keepWeekly: source.keepWeekly ?? 0,
        keepMonthly: source.keepMonthly ?? 0,
        keepYearly: source.keepYearly ?? 0,
    };
    for (const [key, value] of Object.entries(out)) {
        if (!Number.isInteger(value) || value < 0) {
            throw new UsageError(`retention ${key} must be a whole number ≥ 0, got ${value}`);
        }
    }
    if (Object.values(out).every((v) => v === 0)) {
        throw new UsageError('this retention policy keeps nothing', 'give at least one of keep-last/hourly/daily/weekly/monthly/yearly above 0');
    }
    return out;
}
/**
 * Decides which archives stay. Manual backups always stay; so does the newest
 * archive whose verification passed, so a run of silently broken backups can
 * never push the last known-good one out. Throws rather than plan the
 * deletion of every archive of a database.
 */
export function planRetention(candidates, policy) {
    const rules = normalizePolicy(policy);
    const byDatabase = new Map();
    for (const c of candidates) {
        const list = byDatabase.get(c.database) ?? [];
        list.push(c);
        byDatabase.set(c.database, list);
    }
    const decisions = [];
    for (const [database, group] of byDatabase) {
        const newestFirst = [...group].sort((a, b) => b.at.getTime() - a.at.getTime() || b.name.localeCompare(a.name));
        const reasons = new Map(newestFirst.map((c) => [c.name, []]));
        const scheduled = newestFirst.filter((c) => c.kind === 'scheduled');
        scheduled.slice(0, rules.keepLast).forEach((c, i) => {
            reasons.get(c.name).push(`last ${rules.keepLast} (#${i + 1})`);
        });
        for (const rule of RULES) {
            const limit = rules[rule.key];
            if (limit === 0)
                continue;
            const seen = new Set();
            for (const c of scheduled) {
                if (seen.size >= limit)
                    break;
                const bucket = rule.bucket(c.at);
                if (seen.has(bucket))
                    continue;
                seen.add(bucket);
                reasons.get(c.name).push(`${rule.label} ${bucket} (${seen.size} of ${limit})`);
            }
        }
        for (const c of newestFirst) {
            if (c.kind === 'manual')
                reasons.get(c.name).push('manual backup (never pruned automatically)');
        }
        const newestVerified = newestFirst.find((c) => c.verified);
        if (newestVerified)
            reasons.get(newestVerified.name).push('newest verified backup');
        const kept = newestFirst.filter((c) => reasons.get(c.name).length > 0);
        if (kept.length === 0 && newestFirst.length > 0) {
            throw new StowageError('prune-all', `retention would delete every backup of ${database}: refusing`, 'keep at least one (e.g. --keep-last 1)');
        }
        for (const c of newestFirst) {
            const why = reasons.get(c.name);
            decisions.push({
                name: c.name,
                database,
                at: c.at,
                keep: why.length > 0,
                reasons: why.length > 0 ? why : ['not selected by any keep rule'],
            });
        }
    }
    return decisions;
}
/** ISO-8601 week, e.g. `2026-W47`, for weekly buckets (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(date) {
    const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
    const day = d.getUTCDay() || 7;
    d.setUTCDate(d.getUTCDate() + 4 - day);
    const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
    const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
    return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
//# sourceMappingURL=retention.js.map