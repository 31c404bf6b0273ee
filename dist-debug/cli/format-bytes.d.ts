/** Human-readable byte counts in binary units, as operators read them in `ls -h` and `df -h`. */
export declare function formatBytes(bytes: number): string;
