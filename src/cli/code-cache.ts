import diagnosticsChannel from 'node:diagnostics_channel';
import fs from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';
import zlib from 'node:zlib';

// Runs the CLI bundle's CommonJS files (scripts/bundle-cli.mjs) through `vm.Script`, with a V8 code
// cache kept on disk between runs.
//
// Why: V8 compiles a function when it is first called. Node's compile cache keeps only what compiled
// while a module loaded, so every run compiled again the functions it called: some 35–40 ms of a small
// backup's CPU, 30 of a restore's (docs/BENCHMARKS.md, "Session 14"). A cache made from a `vm.Script` after the run
// (`createCachedData()`) holds every function compiled until then, and a run given it compiles none of
// them again. ES modules offer no such cache, hence CommonJS-shaped files.
//
// The launcher loads this module before it has checked the Node version, and a named import that an
// old Node lacks would fail before any message: what newer Nodes added (zlib.crc32, vm.constants,
// module.getCompileCacheDir) is read from default imports when called.

/**
 * The channel each bundle file's load is published on (a {@link CodeCacheEvent}): how tests see which
 * files a run loads and what became of their caches.
 */
export const CODE_CACHE_CHANNEL = 'stowage:code-cache';

/**
 * One bundle file loaded (`accepted`: its cache was used; `rejected`: the cache found was damaged or V8
 * refused it, and it is written again; `absent`: none yet, or none in a folder others may write into;
 * `off`: no cache folder), or its cache `written` at exit.
 */
export interface CodeCacheEvent {
  file: string;
  cache: 'accepted' | 'rejected' | 'absent' | 'off' | 'written';
}

/**
 * Where the code caches of this Node and its flags live for runs of one `kind` (the command): beside
 * Node's own compile cache (`NODE_COMPILE_CACHE`, by default the OS temp folder), or nowhere when
 * `NODE_DISABLE_COMPILE_CACHE` is set. V8 refuses a cache made by another version or with other flags
 * itself; the folder name keeps runs that differ in them from overwriting each other's caches. A cache
 * is written once, by the first run that finds none, and holds what that run compiled: one per command,
 * so that a `--help` first does not leave a backup's own functions out of the caches of the files both load.
 */
export function codeCacheDir(kind: string): string | undefined {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const nodeCache = (module as { getCompileCacheDir?: () => string | undefined }).getCompileCacheDir?.();
  const base = nodeCache
    ? dirname(nodeCache)
    : (process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), 'node-compile-cache'));
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ');
  return join(base, 'stowage-code-cache', `${process.version}-${process.arch}-${fnv1a(flags)}`, kind);
}

/**
 * Loads `entry` (a CommonJS-shaped bundle file) and, through its `require`, the bundle files beside it,
 * each compiled with its code cache when there is a usable one, from this build's folder inside
 * `cacheDir` (named by the entry's CRC-32 and length). Caches that were missing or refused are written
 * when the process exits, and then those of other builds are removed but for the
 * {@link OTHER_BUILDS_KEPT} used last. A cache folder that cannot be read or written costs the run
 * nothing but the cache. Returns the entry's exports.
 */
export function runCachedBundle(entry: string, cacheDir: string | undefined): unknown {
  const bundleDir = dirname(entry);
  const entryBytes = fs.readFileSync(entry);
  // One folder per build, named by the entry's content (which names every file it loads): the unit
  // in which old builds' caches are removed (pruneOtherBuilds).
  const build = `${zlib.crc32(entryBytes).toString(16)}-${entryBytes.length}`;
  const buildDir = cacheDir === undefined ? undefined : join(cacheDir, build);
  const trusted =
    cacheDir !== undefined &&
    buildDir !== undefined &&
    ownedPrivateFolder(cacheDir) &&
    usedBuildFolder(buildDir);
  const modules = new Map<string, { exports: unknown }>();
  const unsaved: { script: vm.Script; path: string; file: string }[] = [];
  const channel = diagnosticsChannel.channel(CODE_CACHE_CHANNEL);
  withoutLoaderWarning();
  const publish = (event: CodeCacheEvent) => {
    if (channel.hasSubscribers) channel.publish(event);
  };

  const load = (file: string): unknown => {
    const known = modules.get(file);
    if (known) return known.exports;
    const loaded = { exports: {} as unknown };
    modules.set(file, loaded);
    const bytes = file === entry ? entryBytes : fs.readFileSync(file);
    // The cache is named by the file's content: a file rebuilt with the same name and length (a
    // changed chunk hash inside it) must never get the old file's code, and V8 itself compares lengths only.
    const path =
      buildDir === undefined
        ? undefined
        : join(buildDir, `${basename(file)}-${zlib.crc32(bytes).toString(16)}-${bytes.length}.cache`);
    const found = path && trusted ? readCache(path) : undefined;
    const cachedData = found === 'damaged' ? undefined : found;
    // A `#!` line is only valid at a script's very start: made a comment, as Node's CommonJS loader does.
    const source = bytes.toString().replace(/^#!/, '//');
    const script = new vm.Script(
      `(function (exports, require, module, __filename, __dirname) {${source}\n})`,
      {
        filename: file,
        cachedData,
        importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      },
    );
    const cache =
      path === undefined
        ? 'off'
        : found === 'damaged' || script.cachedDataRejected
          ? 'rejected'
          : cachedData
            ? 'accepted'
            : 'absent';
    if (path !== undefined && cache !== 'accepted') unsaved.push({ script, path, file });
    publish({ file, cache });
    const nodeRequire = module.createRequire(file);
    const require = Object.assign(
      (specifier: string) =>
        specifier.startsWith('./') ? load(join(bundleDir, specifier)) : nodeRequire(specifier),
      { resolve: nodeRequire.resolve, cache: nodeRequire.cache },
    );
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    wrapper.call(loaded.exports, loaded.exports, require, loaded, file, bundleDir);
    return loaded.exports;
  };

  process.once('exit', () => {
    if (unsaved.length === 0 || cacheDir === undefined || buildDir === undefined) return;
    try {
      fs.mkdirSync(buildDir, { recursive: true, mode: 0o700 });
      if (!ownedPrivateFolder(cacheDir) || !ownedPrivateFolder(buildDir)) return;
      for (const { script, path, file } of unsaved) {
        // Written aside and renamed: a run reading the cache meanwhile sees the whole file or none.
        // Codec threads share the pid and may write the same cache: the name also gets a random part.
        const partial = `${path}.${process.pid}-${Math.random().toString(36).slice(2)}.partial`;
        const data = script.createCachedData();
        const sum = Buffer.alloc(CHECKSUM_SIZE);
        sum.writeUInt32LE(zlib.crc32(data));
        try {
          fs.writeFileSync(partial, Buffer.concat([sum, data]), { mode: 0o600 });
          fs.renameSync(partial, path);
        } finally {
          fs.rmSync(partial, { force: true });
        }
        publish({ file, cache: 'written' });
      }
      // A run that writes is the first of a build (or its caches were lost): the moment to remove
      // what older builds left, which nothing else would ever read again.
      pruneOtherBuilds(cacheDir, build);
    } catch {
      // A read-only or full disk: this run's output is already complete, only later runs lose the cache.
    }
  });
  return load(entry);
}

/** What Node says, once per process, on the first `import()` from a script given the main loader. */
const LOADER_WARNING = 'vm.USE_MAIN_CONTEXT_DEFAULT_LOADER';
let loaderWarningFiltered = false;

/**
 * Keeps Node's "experimental feature" warning about `vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER`
 * off the user's terminal. The bundle's files are scripts given Node's own ES module loader for
 * their `import()` calls (the MongoDB driver, PGlite, a few built-ins loaded when needed): the
 * loader is the one every module uses, only its hand-over to a `vm` script is marked experimental,
 * and without this each MongoDB command and `--passphrase-file` printed two lines of warning on
 * stderr. Every other warning passes as before.
 */
function withoutLoaderWarning(): void {
  if (loaderWarningFiltered) return;
  loaderWarningFiltered = true;
  const emit = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const message = typeof warning === 'string' ? warning : warning?.message;
    if (typeof message === 'string' && message.startsWith(LOADER_WARNING)) return;
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
}

/** Bytes of the CRC-32 of the V8 cache that each cache file starts with. */
const CHECKSUM_SIZE = 4;

/**
 * The V8 cache in the file at `path`, `damaged` when its checksum does not match, or undefined when there
 * is none. V8 checks a cache's version, flags and source length but, in release builds, not its bytes:
 * a cache damaged on disk would run as code. The checksum keeps it from V8.
 */
function readCache(path: string): Buffer | 'damaged' | undefined {
  let file: Buffer;
  try {
    file = fs.readFileSync(path);
  } catch {
    return undefined;
  }
  if (file.length <= CHECKSUM_SIZE) return 'damaged';
  const data = file.subarray(CHECKSUM_SIZE);
  return zlib.crc32(data) === file.readUInt32LE(0) ? data : 'damaged';
}

/**
 * The cache holds code this process will run: only a folder of this user's that nobody else may write
 * into is read (the default is under the shared temp folder).
 */
function ownedPrivateFolder(dir: string): boolean {
  try {
    const stat = fs.statSync(dir);
    if (process.getuid === undefined) return stat.isDirectory();
    return stat.isDirectory() && stat.uid === process.getuid() && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * Builds whose caches stay in a command's folder besides the running one's: the ones used last (an
 * older version installed elsewhere on the machine, say), so that two installs used in turn do not
 * remove each other's caches on every run. A build is some 1 MiB of caches per command.
 */
const OTHER_BUILDS_KEPT = 2;
/** How often a build's folder is marked used (its mtime): at most once a day, not a write per run. */
const USE_MARK_MS = 24 * 60 * 60 * 1000;
/** Entries of a command's folder or a build's looked at in one prune: the work stays bounded. */
const PRUNE_SCAN_LIMIT = 256;
/** A build's folder (pruneOtherBuilds), a cache file, or a cache file being written (`.partial`). */
const BUILD_FOLDER = /^[0-9a-f]{1,8}-\d{1,12}$/;
const CACHE_FILE = /\.cjs-[0-9a-f]{1,8}-\d{1,12}\.cache(\.\d+-[0-9a-z]*\.partial)?$/;

/**
 * Whether `buildDir` is a folder of this user's that nobody else may write into (see
 * {@link ownedPrivateFolder}); if so, marks it used when the last mark is a day old, so that
 * pruning keeps the builds used last rather than those installed last.
 */
function usedBuildFolder(buildDir: string): boolean {
  if (!ownedPrivateFolder(buildDir)) return false;
  try {
    if (Date.now() - fs.statSync(buildDir).mtimeMs > USE_MARK_MS) {
      const now = new Date();
      fs.utimesSync(buildDir, now, now);
    }
  } catch {
    // Marked next time: the cache itself is as usable.
  }
  return true;
}

/**
 * Removes from `cacheDir` (a command's folder, checked private by the caller) the caches of builds
 * other than `current` and the {@link OTHER_BUILDS_KEPT} used last, and the cache files of the
 * layout before build folders. Only entries named as this module names them are touched; a symbolic
 * link is never followed (nor removed): readdir's types are the entries' own.
 */
function pruneOtherBuilds(cacheDir: string, current: string): void {
  const builds: { path: string; used: number }[] = [];
  for (const entry of listSome(cacheDir)) {
    const path = join(cacheDir, entry.name);
    if (entry.isFile() && CACHE_FILE.test(entry.name)) fs.rmSync(path, { force: true });
    else if (entry.isDirectory() && BUILD_FOLDER.test(entry.name) && entry.name !== current) {
      const used = fs.lstatSync(path, { throwIfNoEntry: false })?.mtimeMs;
      if (used !== undefined) builds.push({ path, used });
    }
  }
  builds.sort((a, b) => b.used - a.used);
  for (const { path } of builds.slice(OTHER_BUILDS_KEPT)) {
    for (const entry of listSome(path))
      if (entry.isFile() && CACHE_FILE.test(entry.name)) fs.rmSync(join(path, entry.name), { force: true });
    try {
      fs.rmdirSync(path);
    } catch {
      // Not empty (a file not ours, or one a run of that build wrote meanwhile): it stays.
    }
  }
}

/** The first {@link PRUNE_SCAN_LIMIT} entries of a folder, with their own types (links not followed). */
function listSome(dir: string): fs.Dirent[] {
  const found: fs.Dirent[] = [];
  const handle = fs.opendirSync(dir);
  try {
    for (let entry = handle.readSync(); entry && found.length < PRUNE_SCAN_LIMIT; entry = handle.readSync())
      found.push(entry);
  } finally {
    handle.closeSync();
  }
  return found;
}

/** A short hash of the flags the process runs with, for a folder name. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
