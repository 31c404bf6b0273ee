import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, statfs } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StowageError } from '../errors.js';
import { fsError, LocalFileSink } from './local-file-sink.js';
import { LocalFileSource } from './local-file-source.js';
/** A repository in a local folder (created 0700 on first write). */
export class LocalRepository {
    path;
    kind = 'local';
    url;
    constructor(path) {
        this.path = path;
        this.url = resolve(path);
    }
    async listFiles(folder) {
        const dir = folder ? join(this.path, folder) : this.path;
        let entries;
        try {
            entries = await readdir(dir, { withFileTypes: true });
        }
        catch (err) {
            if (err.code === 'ENOENT') {
                if (folder)
                    return [];
                throw new StowageError('not-found', `repository folder does not exist: ${this.url}`, 'check the path');
            }
            if (err.code === 'ENOTDIR') {
                throw new StowageError('not-a-folder', `not a folder: ${this.url}`, 'give the folder that holds the archives');
            }
            throw fsError(err, this.url);
        }
        const files = [];
        for (const entry of entries) {
            if (!entry.isFile() || entry.name.endsWith('.partial'))
                continue;
            // A file removed between readdir and stat (a concurrent prune) is simply not listed.
            const s = await stat(join(dir, entry.name)).catch(() => undefined);
            if (s)
                files.push({ name: entry.name, size: s.size, modified: s.mtime });
        }
        return files;
    }
    async createArchive(name, options = {}) {
        return LocalFileSink.create(join(this.path, name), options);
    }
    async openArchive(name) {
        return LocalFileSource.open(join(this.path, name));
    }
    async readText(name) {
        try {
            return await readFile(join(this.path, name), 'utf8');
        }
        catch (err) {
            if (err.code === 'ENOENT')
                return undefined;
            throw fsError(err, join(this.path, name));
        }
    }
    async writeText(name, text) {
        const path = join(this.path, name);
        const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
        try {
            await mkdir(dirname(path), { recursive: true, mode: 0o700 });
            const handle = await open(temp, 'w', 0o600);
            try {
                await handle.writeFile(text);
                await handle.sync();
            }
            finally {
                await handle.close();
            }
            await rename(temp, path);
        }
        catch (err) {
            await rm(temp, { force: true }).catch(() => { });
            throw fsError(err, path);
        }
    }
    async createText(name, text) {
        const path = join(this.path, name);
        try {
            await mkdir(dirname(path), { recursive: true, mode: 0o700 });
            // 'wx' = O_CREAT | O_EXCL: atomic "create if absent", the basis of the repository lock.
            const handle = await open(path, 'wx', 0o600);
            try {
                await handle.writeFile(text);
                await handle.sync();
            }
            finally {
                await handle.close();
            }
            return true;
        }
        catch (err) {
            if (err.code === 'EEXIST')
                return false;
            throw fsError(err, path);
        }
    }
    async remove(name) {
        try {
            await rm(join(this.path, name), { force: true });
        }
        catch (err) {
            throw fsError(err, join(this.path, name));
        }
    }
    async freeSpace() {
        // The folder may not exist yet: measure the nearest existing ancestor, where it will be created.
        let path = this.url;
        for (;;) {
            try {
                const s = await statfs(path);
                return { availableBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
            }
            catch (err) {
                const parent = dirname(path);
                if (err.code !== 'ENOENT' || parent === path)
                    return undefined;
                path = parent;
            }
        }
    }
    async checkWritable() {
        const probe = `.stowage-probe-${randomBytes(4).toString('hex')}`;
        try {
            await mkdir(this.path, { recursive: true, mode: 0o700 });
        }
        catch (err) {
            throw fsError(err, this.url);
        }
        await this.writeText(probe, 'probe');
        await this.remove(probe);
    }
    locate(name) {
        return join(this.path, name);
    }
    async close() { }
}
//# sourceMappingURL=local-repository.js.map