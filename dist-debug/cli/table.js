/**
 * Plain-text tables for human output: left-aligned columns separated by two
 * spaces, headers in capitals, as `ls -l`-style tools print them.
 */
export function formatTable(headers, rows) {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells) => cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd();
    return [line(headers), ...rows.map(line)];
}
/** `2026-11-21 02:00` in UTC, like archive names. */
export function formatDate(date) {
    return date.toISOString().slice(0, 16).replace('T', ' ');
}
/** `4.2 s`, `3m 05s`, `1h 02m`. */
export function formatDuration(ms) {
    if (ms === undefined)
        return '-';
    if (ms < 60_000)
        return `${(ms / 1000).toFixed(1)} s`;
    const s = Math.round(ms / 1000);
    if (s < 3600)
        return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
    return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
//# sourceMappingURL=table.js.map