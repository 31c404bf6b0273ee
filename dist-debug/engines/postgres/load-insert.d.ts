import type { Readable } from 'node:stream';
import type { PgSession } from './connect.js';
import type { PgTableData } from './model.js';
export declare function loadTableInsert(session: PgSession, table: PgTableData, source: Readable, onProgress: (rows: number, bytes: number) => void): Promise<number>;
