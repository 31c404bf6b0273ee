/** A parsed `s3://bucket/prefix` address. `prefix` has no leading or trailing slash ('' for the bucket root). */
export interface S3Location {
    bucket: string;
    prefix: string;
}
/** True for `s3://…` addresses. */
export declare function isS3Url(value: string): boolean;
/**
 * Parses `s3://bucket[/prefix]`. A trailing slash is ignored, so `s3://b/p`
 * and `s3://b/p/` name the same repository.
 */
export declare function parseS3Url(url: string): S3Location;
/** The object key of `name` inside a repository at `location`. */
export declare function s3Key(location: S3Location, name: string): string;
/** `s3://bucket/prefix[/name]`, for messages. */
export declare function formatS3Url(location: S3Location, name?: string): string;
/** Splits `s3://bucket/prefix/name.stow` into the repository and the archive name. */
export declare function splitS3ArchiveUrl(url: string): {
    repository: S3Location;
    name: string;
};
