import { createRequire } from 'node:module';
/** The package version, read from package.json (one level above both src/ and dist/). */
export const TOOL_VERSION = createRequire(import.meta.url)('../package.json')
    .version;
//# sourceMappingURL=version.js.map