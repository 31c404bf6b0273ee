import { UsageError } from '../errors.js';
/** Which engine serves a connection URL, by its scheme. */
export function engineNameForUrl(url) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
    switch (scheme) {
        case 'postgres':
        case 'postgresql':
            return 'postgres';
        case 'mongodb':
        case 'mongodb+srv':
            return 'mongodb';
        default:
            throw new UsageError(`unsupported database URL scheme${scheme ? ` "${scheme}:"` : ''}`, 'use postgres://, postgresql://, mongodb:// or mongodb+srv://');
    }
}
/** Loads an engine lazily so a PostgreSQL user never loads the MongoDB driver and vice versa. */
export async function loadEngine(name) {
    switch (name) {
        case 'postgres':
            return (await import('./postgres/index.js')).postgresEngine;
        case 'mongodb':
            return (await import('./mongodb/index.js')).mongodbEngine;
    }
}
//# sourceMappingURL=registry.js.map