import type { Readable } from 'node:stream';
import type { PgSession } from './connect.js';
import type { PgTableData } from './model.js';
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
export declare function loadTableCopy(session: PgSession, table: PgTableData, source: Readable, onProgress: (bytes: number) => void, recycle?: (chunk: Buffer) => void): Promise<number>;
