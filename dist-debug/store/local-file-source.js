import { open } from 'node:fs/promises';
import { fsError } from './local-file-sink.js';
/** Random-access reads of a local archive file. */
export class LocalFileSource {
    handle;
    size;
    location;
    constructor(handle, size, location) {
        this.handle = handle;
        this.size = size;
        this.location = location;
    }
    static async open(path) {
        try {
            const handle = await open(path, 'r');
            const stat = await handle.stat();
            if (stat.isDirectory()) {
                await handle.close();
                throw Object.assign(new Error(`is a folder`), { code: 'EISDIR' });
            }
            return new LocalFileSource(handle, stat.size, path);
        }
        catch (err) {
            throw fsError(err, path);
        }
    }
    async read(offset, length) {
        const buffer = Buffer.allocUnsafe(length);
        let done = 0;
        while (done < length) {
            const { bytesRead } = await this.handle.read(buffer, done, length - done, offset + done);
            if (bytesRead === 0)
                break;
            done += bytesRead;
        }
        return done === length ? buffer : buffer.subarray(0, done);
    }
    async close() {
        await this.handle.close();
    }
}
//# sourceMappingURL=local-file-source.js.map