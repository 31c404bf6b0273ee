import type { Command } from 'commander';
import type { S3Options } from '../store/s3-client.js';
/**
 * S3 flags shared by every command that touches a repository. Each also has
 * an environment variable (`STOWAGE_S3_*`), and endpoint, region and
 * credentials come from the usual AWS variables when not given.
 */
export declare function addS3Options(command: Command): Command;
/** The S3 options the flags give (the environment fills in the rest later). */
export declare function s3OptionsFrom(opts: Record<string, unknown>): S3Options;
