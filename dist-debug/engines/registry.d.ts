import type { Engine, EngineName } from './engine.js';
/** Which engine serves a connection URL, by its scheme. */
export declare function engineNameForUrl(url: string): EngineName;
/** Loads an engine lazily so a PostgreSQL user never loads the MongoDB driver and vice versa. */
export declare function loadEngine(name: EngineName): Promise<Engine>;
