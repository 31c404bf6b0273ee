// Installs the parity fixture's tiny test extension (an extension with a
// configuration table, fixtures/postgres/parity/extension/) into the extension
// directory of the PostgreSQL server the tests use, when it is missing. This
// writes into the server's installation (e.g. /usr/share/postgresql/15/extension),
// so it needs a local server and write access there (root in the test container);
// it only ever adds these two files, and leaves them alone when they are already
// there with the same contents.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withPgClient } from '../support/pg.js';

// Not PARITY_FIXTURE_DIR from parity.ts: parity.ts imports this file, and a constant read at load
// time across that cycle would not be set yet.
const EXTENSION_FILES = join(import.meta.dirname, '../../fixtures/postgres/parity/extension');

/** The server's extension directory: `SHAREDIR/extension`, found through pg_config of the server's major version. */
async function extensionDir(url: string): Promise<string> {
  const major = await withPgClient(url, async (client) => {
    const { rows } = await client.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
    return Math.floor(Number(rows[0]?.v) / 10000);
  });
  const pgConfig = [`/usr/lib/postgresql/${major}/bin/pg_config`, 'pg_config'].find(
    (p) => !p.includes('/') || existsSync(p),
  );
  const share = execFileSync(pgConfig ?? 'pg_config', ['--sharedir'], { encoding: 'utf8' }).trim();
  return join(share, 'extension');
}

/**
 * Makes `stowage_parity_config` available to CREATE EXTENSION on the test server
 * (idempotent). Throws with what to do when it cannot.
 */
export async function installParityExtension(url: string): Promise<void> {
  const available = await withPgClient(url, async (client) => {
    const { rows } = await client.query(
      `SELECT 1 FROM pg_available_extensions WHERE name = 'stowage_parity_config'`,
    );
    return rows.length > 0;
  });
  const dir = await extensionDir(url);
  for (const file of readdirSync(EXTENSION_FILES)) {
    const target = join(dir, file);
    const wanted = readFileSync(join(EXTENSION_FILES, file));
    if (available && existsSync(target) && readFileSync(target).equals(wanted)) continue;
    try {
      copyFileSync(join(EXTENSION_FILES, file), target);
    } catch (error) {
      throw new Error(
        `cannot install the parity test extension into ${dir} (${(error as Error).message}): copy ${EXTENSION_FILES}/* there as root`,
      );
    }
  }
}
