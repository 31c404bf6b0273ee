import type { Manifest } from '../archive/manifest.js';
/** The lines `inspect` prints and `restore` shows before asking for confirmation. */
export declare function manifestSummary(archive: string, manifest: Manifest): string[];
