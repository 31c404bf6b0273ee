import { basename, dirname, resolve } from 'node:path';
import { type Built, LazySchemas } from '../../schema-check/lazy-schemas.js';
import type { Store } from '../store.js';
import { LocalRepository } from './local-repository.js';

const optionSchemas = new LazySchemas((z) => ({ Options: z.object({}).strict() }));

/** Archives in a local folder: every location without a URL scheme is a path. It has no options. */
export const localStore = {
  kind: 'local',
  schemes: [],
  optionSchemas,
  fromEnv: async () => ({}),
  open: async (url) => new LocalRepository(url),
  splitArchiveRef: (ref) => ({ repository: dirname(ref), name: basename(ref) }),
  canonicalUrl: (url) => resolve(url),
} as const satisfies Store<Built<typeof optionSchemas>['Options']>;
