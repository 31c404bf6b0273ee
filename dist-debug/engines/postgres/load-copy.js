import { CopyIn } from './copy-in.js';
import { copyColumns, PROGRESS_INTERVAL_MS } from './dump-table.js';
import { qualify } from './ident.js';
/**
 * Loads one table with `COPY ... FROM STDIN`, in the format it was dumped in.
 * The archive stream is piped straight into the connection, so memory stays
 * flat and the server sets the pace. The server checks the data as it parses
 * it and reports the row count at the end; Node never looks inside the rows.
 *
 * @param onProgress called now and then with the bytes sent so far
 * @param recycle takes back each chunk of `source` once it is on its way to the server
 * @returns rows loaded, as the server counted them
 */
export async function loadTableCopy(session, table, source, onProgress, recycle) {
    const label = qualify(table.schema, table.name);
    const format = table.format === 'binary' ? ' (FORMAT binary)' : '';
    const copy = new CopyIn(`COPY ${label}${copyColumns(table)} FROM STDIN${format}`, source, recycle);
    const timer = setInterval(() => onProgress(copy.bytes), PROGRESS_INTERVAL_MS);
    try {
        session.client.query(copy);
        await copy.done;
    }
    catch (err) {
        throw session.translate(err, `loading table ${label}`);
    }
    finally {
        clearInterval(timer);
    }
    onProgress(copy.bytes);
    return copy.rowCount;
}
//# sourceMappingURL=load-copy.js.map