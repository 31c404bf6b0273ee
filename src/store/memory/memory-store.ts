import { UsageError } from '../../errors.js';
import { type Built, LazySchemas } from '../../schema-check/lazy-schemas.js';
import type { Store } from '../store.js';
import { formatMemoryUrl, MemoryRepository, parseMemoryUrl } from './memory-repository.js';

const optionSchemas = new LazySchemas((z) => ({ Options: z.object({}).strict() }));

/**
 * Archives in this process's memory (`memory://space/prefix`), gone when the
 * process ends: for tests and for library users. It has no options.
 */
export const memoryStore = {
  kind: 'memory',
  schemes: ['memory'],
  inProcess: true,
  optionSchemas,
  fromEnv: async () => ({}),
  open: async (url) => new MemoryRepository(url),
  splitArchiveRef(ref) {
    const { space, prefix } = parseMemoryUrl(ref);
    const slash = prefix.lastIndexOf('/');
    const name = prefix.slice(slash + 1);
    if (!name) throw new UsageError(`no archive name in ${ref}`, 'give memory://space/prefix/NAME.stow');
    return { repository: formatMemoryUrl({ space, prefix: slash < 0 ? '' : prefix.slice(0, slash) }), name };
  },
  canonicalUrl: (url) => formatMemoryUrl(parseMemoryUrl(url)),
} as const satisfies Store<Built<typeof optionSchemas>['Options']>;
