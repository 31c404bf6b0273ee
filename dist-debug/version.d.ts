/** The package version, read from package.json (one level above both src/ and dist/). */
export declare const TOOL_VERSION: string;
