import { BinaryCopyParser } from './copy-binary.js';
import { TextCopyParser } from './copy-text.js';
import { qualify, quoteIdent } from './ident.js';
/**
 * The second data path, for targets that cannot take `COPY FROM STDIN`
 * (PGlite behind pglite-socket, some PostgreSQL-compatible services): batched
 * multi-row `INSERT ... VALUES`.
 *
 * The archive keeps COPY data either way. For binary tables each field's bytes
 * are the type's binary send format, which is exactly what the extended query
 * protocol accepts as a binary parameter: `pg` sends a Buffer parameter in
 * binary format, and an explicit cast (`$1::type`) tells the server which
 * type's receive function to apply. No per-type decoding happens in Node.
 * Text tables send each field as a text parameter.
 *
 * One statement is prepared per table and reused for every full batch.
 */
/** PostgreSQL's limit on parameters in one statement. */
const MAX_PARAMETERS = 65535;
/** Rows per INSERT upper bound; also bounded by parameters and bytes. */
const MAX_ROWS = 1000;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
let statementCounter = 0;
export async function loadTableInsert(session, table, source, onProgress) {
    const label = qualify(table.schema, table.name);
    const ncols = table.columns.length;
    const rowsPerBatch = Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMETERS / Math.max(1, ncols))));
    const prefix = `INSERT INTO ${label}` +
        (ncols ? ` (${table.columns.map((c) => quoteIdent(c.name)).join(', ')})` : '') +
        (table.identityAlways ? ' OVERRIDING SYSTEM VALUE' : '');
    const statementName = `stowage_insert_${++statementCounter}`;
    const batch = [];
    let batchBytes = 0;
    let loaded = 0;
    const onRow = (row) => {
        batch.push(row);
        for (const f of row)
            if (f)
                batchBytes += f.length;
    };
    const parser = table.format === 'binary' ? new BinaryCopyParser(onRow, label) : new TextCopyParser(onRow);
    const flush = async (rows) => {
        if (!rows.length)
            return;
        if (ncols === 0) {
            for (const _ of rows)
                await session.query(`${prefix} DEFAULT VALUES`, [], `loading table ${label}`);
        }
        else {
            const text = `${prefix} VALUES ${valuesList(table, rows.length)}`;
            // Full batches share one prepared statement; the last, shorter one is planned once on its own.
            const config = rows.length === rowsPerBatch
                ? { name: statementName, text, values: rows.flat() }
                : { text, values: rows.flat() };
            try {
                await session.client.query(config);
            }
            catch (err) {
                throw session.translate(err, `loading table ${label}`);
            }
        }
        loaded += rows.length;
        onProgress(loaded, parser.bytes);
    };
    for await (const chunk of source) {
        parser.push(chunk);
        while (batch.length >= rowsPerBatch || (batch.length && batchBytes >= MAX_BATCH_BYTES)) {
            const take = Math.min(batch.length, rowsPerBatch);
            const rows = batch.splice(0, take);
            batchBytes = batch.reduce((n, r) => n + r.reduce((m, f) => m + (f ? f.length : 0), 0), 0);
            await flush(rows);
        }
    }
    if (parser instanceof BinaryCopyParser)
        parser.finish();
    else
        parser.finish(label);
    await flush(batch.splice(0));
    if (ncols)
        await session.query(`DEALLOCATE ${quoteIdent(statementName)}`).catch(() => { });
    return loaded;
}
function valuesList(table, rows) {
    const casts = table.columns.map((c) => `::${c.type}`);
    const out = [];
    let n = 1;
    for (let r = 0; r < rows; r++) {
        const row = [];
        for (const cast of casts)
            row.push(`$${n++}${cast}`);
        out.push(`(${row.join(', ')})`);
    }
    return out.join(', ');
}
//# sourceMappingURL=load-insert.js.map