// Bundles the `stowage` CLI into dist/bundle/ (run by `npm run build`, after tsc).
//
// Why: loading ~150 separate modules (ours, commander, zod…) through Node's ESM
// loader made every command, even --version, take 0.3 s before doing anything.
// One bundle with code splitting keeps the lazy imports lazy (engines, S3, the
// daemon, the demo each load only when a command needs them). esbuild splits it
// into ~90 small files; scripts/bundle-regroup.mjs then gathers what a command's
// start and a PostgreSQL backup or restore load into a few larger ones.
// Those are CommonJS-shaped files run through a V8 code cache (src/cli/code-cache.ts); `bin.js` and
// `frame-worker.js` are small ES modules that start them (src/cli/bundle-launcher.ts).
//
// Kept external, loaded from node_modules at run time:
// - native addons (zstd-napi, @napi-rs/blake-hash): .node files cannot be bundled;
// - the MongoDB driver and bson: src/engines/mongodb/raw-insert.ts loads driver
//   internals with createRequire, and `instanceof` checks only hold if the bundle
//   uses that same copy of the driver (and the driver's own bson);
// - pg's optional native and Cloudflare back ends (pg-native, pg-cloudflare),
//   which it requires only when asked for them;
// - PGlite: it loads its WebAssembly and data files relative to its own modules;
// - the AWS SDK: large, only loaded lazily for s3:// repositories.
// Everything else (pg, commander, zod, yaml, croner, cli-progress, prompts,
// prom-client) is plain JavaScript and goes into the bundle. pg is bundled because
// every PostgreSQL command loads it: as ~35 CommonJS files from node_modules it
// cost each run their resolution, and Node's ESM import of it read pg's lazy
// `native` getter, which went looking for pg-native (not installed) every time.

import { chmod, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { regroupBundle } from './bundle-regroup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--outdir DIR` builds elsewhere (the startup bench builds its own copy).
const outdirFlag = process.argv.indexOf('--outdir');
const outdir = outdirFlag > 0 ? resolve(process.argv[outdirFlag + 1]) : join(root, 'dist/bundle');
const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));

const external = [
  'zstd-napi',
  'zstd-napi/*',
  '@napi-rs/blake-hash',
  'pg-native',
  'pg-cloudflare',
  'mongodb',
  'mongodb/*',
  'bson',
  '@electric-sql/pglite',
  '@electric-sql/pglite/*',
  '@electric-sql/pglite-socket',
  '@aws-sdk/*',
];

/**
 * src/version.ts reads ../package.json relative to its own file, which is right
 * for src/ and dist/ but not for dist/bundle/: the bundle gets the version baked in.
 */
const bakedVersion = {
  name: 'baked-version',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, () => ({
      contents: `export const TOOL_VERSION = ${JSON.stringify(version)};`,
      loader: 'js',
    }));
  },
};

/**
 * zod's `z` namespace re-exports its 40-odd message locales, half of its size;
 * Stowage only uses the English messages zod configures by default. Parsing the
 * rest cost more start-up time than any other module.
 */
const englishZodOnly = {
  name: 'english-zod-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), '../locales/index.js'), namespace: 'zod-english' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-english' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), 'en.js'))};`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

/**
 * commander requires node:child_process when it loads, for subcommands that
 * are separate executables (Stowage has none). Loading child_process pulls in
 * net, dgram and more: several milliseconds of every start. Commander gets a
 * stand-in that loads the real module on first use.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: 'child_process', namespace: 'lazy-child-process' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-child-process' }, () => ({
      contents:
        "let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

/**
 * pg authenticates (SCRAM-SHA-256, MD5) through WebCrypto: Node builds its WebCrypto layer (a
 * few dozen internal modules) on first use, and each HMAC is an import and a sign through it,
 * some 20 ms of CPU in a backup's three connections. The same operations with node:crypto's
 * hashes, HMACs and PBKDF2 give the same bytes; pg's SASL code takes Buffers where it took
 * ArrayBuffers (it wraps each answer in Buffer.from).
 */
const nodeCryptoForPg = {
  name: 'node-crypto-for-pg',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]crypto[\\/]utils\.js$/ }, (args) => ({
      contents: sameExports(
        args.path,
        `const nodeCrypto = require('node:crypto');
const hash = (name, data) => nodeCrypto.createHash(name).update(Buffer.from(data)).digest();
async function md5(string) {
  return nodeCrypto.createHash('md5').update(string, 'utf-8').digest('hex');
}
module.exports = {
  randomBytes: (length) => nodeCrypto.randomBytes(length),
  md5,
  async postgresMd5PasswordHash(user, password, salt) {
    const inner = await md5(password + user);
    const outer = await md5(Buffer.concat([Buffer.from(inner), salt]));
    return 'md5' + outer;
  },
  sha256: async (text) => hash('sha256', text),
  // Certificate hash names as WebCrypto spells them: SHA-256, SHA-384, SHA-512.
  hashByName: async (hashName, text) => hash(hashName.replace('-', '').toLowerCase(), text),
  hmacSha256: async (keyBuffer, msg) => nodeCrypto.createHmac('sha256', Buffer.from(keyBuffer)).update(msg).digest(),
  deriveKey: (password, salt, iterations) =>
    new Promise((resolve, reject) =>
      nodeCrypto.pbkdf2(password, salt, iterations, 32, 'sha256', (err, key) => (err ? reject(err) : resolve(key))),
    ),
};
`,
      ),
      loader: 'js',
    }));
  },
};

/**
 * `replacement`, once it exports the very names pg's own file does: a pg release that adds or
 * renames a helper fails the build here instead of a password login at run time.
 */
function sameExports(originalPath, replacement) {
  const require = createRequire(import.meta.url);
  const replaced = { exports: {} };
  new Function('module', 'require', replacement)(replaced, require);
  const names = (exported) => Object.keys(exported).sort().join(', ');
  const want = names(require(originalPath));
  if (names(replaced.exports) !== want) {
    throw new Error(
      `node-crypto-for-pg: pg's crypto/utils.js exports ${want}, the replacement ${names(replaced.exports)}: update scripts/bundle-cli.mjs`,
    );
  }
  return replacement;
}

// esbuild writes its code-split files here; bundle-regroup.mjs then writes the bundle into outdir.
const splitDir = `${outdir}.split`;
await rm(outdir, { recursive: true, force: true });
await rm(splitDir, { recursive: true, force: true });
const { metafile } = await build({
  absWorkingDir: root,
  // The codec worker is its own entry: codec-pool.ts starts it as `./frame-worker.js`
  // next to itself, so entries and chunks share one flat folder.
  entryPoints: { bin: 'src/cli/bin.ts', 'frame-worker': 'src/archive/frame-worker.ts' },
  outdir: splitDir,
  metafile: true,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22.13',
  external,
  plugins: [bakedVersion, englishZodOnly, lazyChildProcessForCommander, nodeCryptoForPg],
  // Bundled CommonJS dependencies (commander…) call require() for Node built-ins; ESM output has none.
  banner: {
    js: "import { createRequire as __stowageCreateRequire } from 'node:module'; const require = __stowageCreateRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  // Inline, so the regrouping pass keeps them with the code they belong to.
  legalComments: 'inline',
  logLevel: 'warning',
});
const entries = await regroupBundle({ root, splitDir, metafile, outdir });
await rm(splitDir, { recursive: true, force: true });
// `bin.js` (package.json's bin) and `frame-worker.js` (what codec-pool.ts starts a codec thread with):
// ES modules that check the Node version, then run their CommonJS entry through the code cache.
for (const name of ['bin', 'frame-worker']) {
  await build({
    absWorkingDir: root,
    entryPoints: ['src/cli/bundle-launcher.ts'],
    outfile: join(outdir, `${name}.js`),
    define: {
      STOWAGE_BUNDLE_ENTRY: JSON.stringify(`./${entries[name]}`),
      STOWAGE_BUNDLE_WORKER: String(name === 'frame-worker'),
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22.13',
    logLevel: 'warning',
  });
}
await chmod(join(outdir, 'bin.js'), 0o755);
