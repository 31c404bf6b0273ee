export declare function parseJobs(value: string): number;
