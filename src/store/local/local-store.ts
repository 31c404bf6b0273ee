import { basename, dirname, resolve } from 'node:path';
import { z } from 'zod';
import type { Store } from '../store.js';
import { LocalRepository } from './local-repository.js';

const LocalOptionsSchema = z.object({}).strict();

/** Archives in a local folder: every location without a URL scheme is a path. It has no options. */
export const localStore = {
  kind: 'local',
  schemes: [],
  optionsSchema: LocalOptionsSchema,
  fromEnv: () => ({}),
  open: async (url) => new LocalRepository(url),
  splitArchiveRef: (ref) => ({ repository: dirname(ref), name: basename(ref) }),
  canonicalUrl: (url) => resolve(url),
} as const satisfies Store<typeof LocalOptionsSchema>;
