import type { Built } from '../../schema-check/lazy-schemas.js';
import { optionsFromEnv } from '../options-from-env.js';
import type { Store } from '../store.js';
import { formatS3Url, parseS3Url, splitS3ArchiveUrl } from './s3-location.js';
import { effectiveEndpoint, s3OptionSchemas } from './s3-options.js';

/**
 * Archives under an S3 bucket prefix (`s3://bucket/prefix`), on AWS or any
 * S3-compatible service. The AWS SDK is loaded only when an S3 repository is
 * opened: it costs some 20 MiB of memory that a backup to a local folder
 * should not carry.
 */
export const s3Store = {
  kind: 's3',
  schemes: ['s3'],
  optionSchemas: s3OptionSchemas,
  fromEnv: async (env = process.env) => optionsFromEnv((await s3OptionSchemas.load()).Options, env),
  async open(url, options) {
    const { S3Repository } = await import('./s3-repository.js');
    return new S3Repository(url, options);
  },
  splitArchiveRef(ref) {
    const { repository, name } = splitS3ArchiveUrl(ref);
    return { repository: formatS3Url(repository), name };
  },
  canonicalUrl: (url) => formatS3Url(parseS3Url(url)),
  describe: (location, options) => `S3 endpoint ${effectiveEndpoint(options) ?? 'AWS'} (${location})`,
} as const satisfies Store<Built<typeof s3OptionSchemas>['Options']>;
