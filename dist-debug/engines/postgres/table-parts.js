/**
 * Splitting big tables into block ranges, so that `--jobs` sessions can copy
 * one table at once.
 *
 * Why: a database is often one or two big tables and many small ones. Copied
 * whole, the biggest table is the long pole: the other sessions run out of
 * work and the backup takes as long as that one COPY. Cut into block ranges,
 * the parts spread over all sessions. Each part is a TID range scan
 * (`ctid >= '(a,0)' AND ctid < '(b,0)'`, which PostgreSQL 14+ executes by
 * reading only those blocks) inside the shared snapshot, so the parts together
 * hold exactly the rows a whole-table COPY would. Each part goes to its own
 * archive stream as a complete COPY stream, so restore loads parts in parallel
 * too.
 *
 * The last part has no upper bound: rows the snapshot sees cannot lie beyond
 * the size measured after the snapshot was taken, and an open end makes that
 * true by construction rather than by argument.
 */
/**
 * Tables at least twice this size (main fork) are split; parts are about this
 * big. Small enough that two sessions end within a fraction of a second of
 * each other, big enough that the per-COPY cost is noise.
 */
export const DEFAULT_SPLIT_BYTES = 64 * 1024 * 1024;
/** A huge table gets bigger parts rather than thousands of streams. */
export const MAX_PARTS_PER_TABLE = 64;
/** TID range scans arrived in PostgreSQL 14; before that a ctid range reads the whole table per part. */
export const MIN_SPLIT_SERVER_VERSION = 140000;
/**
 * Stream name of part `ordinal` (1-based) of a table. `#` cannot occur in an
 * unquoted identifier and a quoted one ends in `"`, so the suffix is never
 * part of a table name.
 */
export function partStreamName(table, ordinal) {
    return `${table}#${ordinal}`;
}
/** The table a data stream holds (a part of): `public.t#2` is `public.t`. */
export function tableOfStream(stream) {
    return stream.replace(/#\d+$/, '');
}
/**
 * Cuts a table of `blocks` blocks into parts of about `splitBytes` each, or
 * returns it whole when it is smaller than two parts.
 *
 * The table's last stretch is cut finer: halves of what is left, down to a
 * quarter part (…, 1, 1, ½, ¼, ¼). Parts are handed out biggest first, so
 * the small ones come last, and sessions that finish together leave less of
 * one session working alone at the end: on the issue-3 dataset a last 64 MiB
 * part of the 1M-row table kept one restore session busy for half a second
 * after the other had run out of work.
 */
export function planParts(table, blocks, blockSize, splitBytes) {
    const whole = [
        {
            stream: table.streams[0],
            estimatedRows: table.estimatedRows,
            estimatedBytes: table.estimatedBytes,
        },
    ];
    // A table without columns cannot be selected from by column list; it holds no data worth splitting anyway.
    if (splitBytes <= 0 || table.columns.length === 0)
        return whole;
    const count = Math.min(MAX_PARTS_PER_TABLE, Math.floor((blocks * blockSize) / splitBytes));
    if (count < 2)
        return whole;
    const sizes = partSizes(blocks, Math.floor(blocks / count));
    const name = table.streams[0];
    const parts = [];
    let fromBlock = 0;
    for (const [i, size] of sizes.entries()) {
        const last = i === sizes.length - 1;
        const share = size / blocks;
        parts.push({
            stream: partStreamName(name, i + 1),
            fromBlock,
            toBlock: last ? undefined : fromBlock + size,
            estimatedRows: table.estimatedRows < 0 ? -1 : Math.round(table.estimatedRows * share),
            estimatedBytes: Math.round(table.estimatedBytes * share),
        });
        fromBlock += size;
    }
    return parts;
}
/** Block counts of the parts: whole parts of `part` blocks, then the last two parts' worth halved down to quarters. */
function partSizes(blocks, part) {
    const sizes = [];
    let left = blocks;
    while (left > 2 * part) {
        sizes.push(part);
        left -= part;
    }
    const quarter = Math.max(1, Math.floor(part / 4));
    while (left > quarter) {
        const half = Math.ceil(left / 2);
        sizes.push(half);
        left -= half;
    }
    if (left > 0)
        sizes.push(left);
    return sizes;
}
/** Main-fork size in blocks of each table, read inside the backup snapshot's session. */
export async function readTableBlocks(session, oids) {
    const { rows } = await session.query(`SELECT x.oid, (pg_catalog.pg_relation_size(x.oid, 'main') / pg_catalog.current_setting('block_size')::int)::text AS blocks,
       pg_catalog.current_setting('block_size')::int AS block_size
     FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS x(oid)`, [oids], 'measuring table sizes');
    return {
        blocks: new Map(rows.map((r) => [Number(r.oid), Number(r.blocks)])),
        blockSize: rows[0]?.block_size ?? 8192,
    };
}
/** The WHERE clause that selects a part's rows by physical position. */
export function partFilter(part) {
    const from = `ctid >= '(${part.fromBlock ?? 0},0)'::pg_catalog.tid`;
    return part.toBlock === undefined ? from : `${from} AND ctid < '(${part.toBlock},0)'::pg_catalog.tid`;
}
//# sourceMappingURL=table-parts.js.map