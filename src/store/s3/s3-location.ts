import { UsageError } from '../../errors.js';

/** A parsed `s3://bucket/prefix` address. `prefix` has no leading or trailing slash ('' for the bucket root). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/** True for `s3://…` addresses. */
export function isS3Url(value: string): boolean {
  return /^s3:\/\//i.test(value);
}

/**
 * Parses `s3://bucket[/prefix]`. A trailing slash is ignored, so `s3://b/p`
 * and `s3://b/p/` name the same repository.
 */
export function parseS3Url(url: string): S3Location {
  const match = /^s3:\/\/([^/?#]+)\/?([^?#]*)$/i.exec(url);
  const bucket = match?.[1];
  if (!bucket || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new UsageError(`not a valid S3 address: ${url}`, 'write it as s3://bucket or s3://bucket/prefix');
  }
  const prefix = (match?.[2] ?? '').replace(/\/+$/, '').replace(/^\/+/, '');
  return { bucket, prefix };
}

/** The object key of `name` inside a repository at `location`. */
export function s3Key(location: S3Location, name: string): string {
  return location.prefix ? `${location.prefix}/${name}` : name;
}

/** `s3://bucket/prefix[/name]`, for messages. */
export function formatS3Url(location: S3Location, name?: string): string {
  const key = name === undefined ? location.prefix : s3Key(location, name);
  return `s3://${location.bucket}${key ? `/${key}` : ''}`;
}

/** Splits `s3://bucket/prefix/name.stow` into the repository and the archive name. */
export function splitS3ArchiveUrl(url: string): { repository: S3Location; name: string } {
  const { bucket, prefix } = parseS3Url(url);
  const slash = prefix.lastIndexOf('/');
  const name = prefix.slice(slash + 1);
  if (!name) throw new UsageError(`no archive name in ${url}`, 'give s3://bucket/prefix/NAME.stow');
  return { repository: { bucket, prefix: slash < 0 ? '' : prefix.slice(0, slash) }, name };
}
