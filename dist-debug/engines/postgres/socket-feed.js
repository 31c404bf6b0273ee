import net from 'node:net';
/** Chunks the reader may hold before the socket stops being read. */
export const MAX_HELD = 4;
const READ_BUFFER_BYTES = 256 * 1024;
const feeds = new WeakMap();
/**
 * A socket factory for `pg.Client`'s `stream` option: reusable read buffers
 * for plain connections; pg's own kind of socket when TLS is configured (pg
 * wraps that socket in TLS, which reads it itself).
 */
export function createBackupSocket(config) {
    if (config.ssl)
        return new net.Socket();
    const feed = new BufferedSocketFeed();
    // The constructor takes `onread` too (net.connect passes its options through); @types/node only lists it for connect().
    const options = {
        onread: { buffer: () => feed.take(), callback: (n, buf) => feed.onRead(n, buf) },
    };
    const socket = new net.Socket(options);
    feed.socket = socket;
    feeds.set(socket, feed);
    return socket;
}
/** The feed for a pg connection's socket: its reusable buffers when it has them, else stream reads. */
export function feedOf(stream) {
    return feeds.get(stream) ?? new StreamSocketFeed(stream);
}
class BufferedSocketFeed {
    socket;
    free = [];
    handler;
    held = 0;
    stopped = false;
    take() {
        return this.free.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
    }
    /** `onread` callback; returning false pauses the socket. */
    onRead(n, buf) {
        const handler = this.handler;
        if (!handler) {
            // pg's parser may keep a reference to the chunk across reads: give it its own copy.
            const copy = Buffer.from(buf.subarray(0, n));
            this.free.push(buf);
            this.socket.emit('data', copy);
            return true;
        }
        this.held++;
        let released = false;
        handler(buf.subarray(0, n), () => {
            if (released)
                return;
            released = true;
            this.held--;
            if (this.free.length < MAX_HELD)
                this.free.push(buf);
            if (this.stopped && this.held < MAX_HELD) {
                this.stopped = false;
                this.socket.resume();
            }
        });
        if (this.handler && this.held >= MAX_HELD) {
            this.stopped = true;
            return false;
        }
        return true;
    }
    start(handler) {
        this.handler = handler;
    }
    stop(rest) {
        this.handler = undefined;
        if (rest.length)
            this.socket.emit('data', Buffer.from(rest));
        if (this.stopped) {
            this.stopped = false;
            this.socket.resume();
        }
    }
}
/** The pre-`onread` way: pause the socket and pull chunks with `read()` while the reader keeps up. */
class StreamSocketFeed {
    socket;
    pgHandler;
    handler;
    held = 0;
    pulling = false;
    onReadable = () => this.pull();
    constructor(socket) {
        this.socket = socket;
    }
    start(handler) {
        const listeners = this.socket.listeners('data');
        if (listeners.length !== 1)
            throw new Error('unexpected pg connection state: expected one data listener');
        this.pgHandler = listeners[0];
        this.socket.removeListener('data', this.pgHandler);
        this.socket.pause();
        this.handler = handler;
        this.socket.on('readable', this.onReadable);
    }
    pull() {
        if (this.pulling)
            return;
        this.pulling = true;
        try {
            while (this.handler && this.held < MAX_HELD) {
                const chunk = this.socket.read();
                if (chunk === null)
                    break;
                this.held++;
                let released = false;
                this.handler(chunk, () => {
                    if (released)
                        return;
                    released = true;
                    this.held--;
                    if (this.handler)
                        process.nextTick(() => this.pull());
                });
            }
        }
        finally {
            this.pulling = false;
        }
    }
    stop(rest) {
        const pgHandler = this.pgHandler;
        this.handler = undefined;
        this.socket.removeListener('readable', this.onReadable);
        if (!pgHandler)
            return;
        this.socket.on('data', pgHandler);
        if (rest.length)
            pgHandler(Buffer.from(rest));
        // Resume on the next tick: pg's handler may itself pause the stream while we are inside it.
        process.nextTick(() => this.socket.resume());
    }
}
//# sourceMappingURL=socket-feed.js.map