import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveReader } from '../archive/reader.js';
import { StowageError } from '../errors.js';
import { ignoreProgress } from '../progress.js';
import { openArchiveSource } from '../store/destination.js';
import { backup } from './backup.js';
import { compareWithDatabase } from './content-check.js';
import { demoSeedSql } from './demo-seed.js';
import { restore } from './restore.js';
import { verify } from './verify.js';
async function startEmbeddedPostgres() {
    // Loaded on demand: the WebAssembly build is large and only the demo needs it.
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    const db = await PGlite.create();
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
    await server.start();
    const conn = server.getServerConn();
    const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
    if (!Number.isInteger(port) || port <= 0) {
        await server.stop();
        await db.close();
        throw new StowageError('demo', `pglite-socket did not report its port (${conn})`);
    }
    return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
        exec: async (sql) => {
            await db.exec(sql);
        },
        stop: async () => {
            await server.stop();
            await db.close();
        },
    };
}
/**
 * The whole round trip on embedded PostgreSQL (PGlite), with no database
 * server installed: seed a sample shop database, back it up through the
 * PostgreSQL wire protocol exactly as a real server would be, verify the
 * archive frame by frame, restore it into a second, empty PGlite, and compare
 * every table's row count and content with the archive.
 */
export async function runDemo(options = {}) {
    const step = options.onStep ?? (() => { });
    const progress = options.onProgress ?? ignoreProgress;
    const scale = options.scale ?? 1;
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'stowage-demo-')));
    const keep = options.keep ?? options.dir !== undefined;
    const notes = [];
    let source;
    let target;
    try {
        step('starting an embedded PostgreSQL (PGlite) and seeding a sample shop database');
        source = await startEmbeddedPostgres();
        let t = Date.now();
        await source.exec(demoSeedSql(scale));
        const seedMs = Date.now() - t;
        t = Date.now();
        step(`backing it up to ${join(dir, 'backups')}`);
        const summary = await backup({
            source: source.url,
            to: join(dir, 'backups'),
            jobs: 2,
            note: 'stowage demo',
            onProgress: progress,
            signal: options.signal,
            preflight: { abortBelowBytes: 16 * 1024 * 1024, warnBelowBytes: 64 * 1024 * 1024 },
        });
        const backupMs = Date.now() - t;
        t = Date.now();
        step('verifying every frame, checksum and stream of the archive');
        const verified = await verify({ archive: summary.archive, onProgress: progress, signal: options.signal });
        const verifyMs = Date.now() - t;
        if (!verified.ok)
            throw new StowageError('demo', `verification failed: ${verified.problems.join('; ')}`);
        step('restoring into a second, empty embedded PostgreSQL');
        target = await startEmbeddedPostgres();
        t = Date.now();
        const restored = await restore({
            archive: summary.archive,
            target: target.url,
            jobs: 2,
            onProgress: progress,
            signal: options.signal,
            safetyBackup: false,
        });
        const restoreMs = Date.now() - t;
        for (const w of restored.warnings)
            notes.push(w);
        notes.push('PGlite served through pglite-socket cannot take COPY FROM STDIN, so the restore wrote rows with batched multi-row INSERTs (the PostgreSQL engine chooses that path itself for PGlite targets); a real server gets parallel binary COPY.');
        t = Date.now();
        step('comparing every table with the archive (row counts and content)');
        const reader = await ArchiveReader.open(await openArchiveSource(summary.archive), { threads: 0 });
        let comparison;
        try {
            comparison = await compareWithDatabase(reader, target.url, { signal: options.signal });
        }
        finally {
            await reader.close();
        }
        const compareMs = Date.now() - t;
        return {
            ok: comparison.mismatches.length === 0,
            archive: summary.archive,
            archiveBytes: summary.bytes,
            rawBytes: summary.rawBytes,
            rows: summary.items,
            tables: summary.streams,
            timings: { seedMs, backupMs, verifyMs, restoreMs, compareMs },
            verify: verified,
            comparison,
            notes,
            kept: keep,
        };
    }
    finally {
        await target?.stop().catch(() => { });
        await source?.stop().catch(() => { });
        if (!keep)
            await rm(dir, { recursive: true, force: true });
    }
}
//# sourceMappingURL=demo.js.map