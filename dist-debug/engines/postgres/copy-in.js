import { d } from '../../dbg.js';
/**
 * `COPY ... FROM STDIN` fed from a Readable, each chunk sent as one CopyData
 * message straight onto the socket.
 *
 * It plugs into `pg` as a Submittable, like pg-copy-streams' `from()`, but
 * tells the caller when the socket is done with each chunk (the socket
 * write's own callback, when the bytes are in the kernel), so the archive
 * reader can reuse that memory for the next frame: a restore then allocates
 * nothing per frame instead of leaving a trail of 2 MiB buffers for the
 * garbage collector. Backpressure is the socket's: the next chunk is read
 * from the source only once the socket has drained.
 *
 * When the source fails (a corrupt archive), the COPY is cancelled with
 * CopyFail, so the server rolls it back and the connection stays usable;
 * the source's error is the one reported.
 */
// Frontend message types (PostgreSQL protocol, "Message Formats").
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const COPY_FAIL = 0x66; // 'f'
export class CopyIn {
    text;
    source;
    onChunkDone;
    /** Rows the server reports it loaded (set when the COPY completes). */
    rowCount = 0;
    /** Bytes handed to the socket so far. */
    bytes = 0;
    connection;
    failure;
    /** An error of our own side (the source), reported instead of the server's answer to CopyFail. */
    sourceError;
    serverError;
    /** Resolves with the row count once the server has taken the COPY; rejects on any failure. */
    done;
    finish = () => { };
    /**
     * @param text the COPY ... FROM STDIN statement
     * @param source the data, as COPY expects it
     * @param onChunkDone called with each chunk once the socket no longer needs it
     */
    constructor(text, source, onChunkDone = () => { }) {
        this.text = text;
        this.source = source;
        this.onChunkDone = onChunkDone;
        this.done = new Promise((resolve, reject) => {
            this.finish = (err) => (err ? reject(err) : resolve(this.rowCount));
        });
        this.done.catch(() => { });
    }
    submit(connection) { d('submit '+this.text.slice(0,30));
        this.connection = connection;
        this.connection.query(this.text);
    }
    // pg calls these as the COPY proceeds.
    handleCopyInResponse() { d('copyinresp '+this.text.slice(0,30));
        void this.pump();
    }
    handleCommandComplete(msg) {
        const m = /COPY (\d+)/.exec(msg?.text ?? '');
        if (m)
            this.rowCount = Number(m[1]);
    }
    handleError(err) { d('handleError '+this.text.slice(0,30)+' '+err.message);
        // The server refused the statement, rejected the data, or the connection died. Stop sending:
        // the server drops whatever CopyData still arrives.
        this.serverError ??= err;
        this.failure ??= err;
        this.source.destroy();
        // pg forgets the query on an error (ReadyForQuery goes to no one) and queues the next query until
        // the server is ready, so this is the end. CopyData still in flight is dropped by the server.
        this.settle();
    }
    handleReadyForQuery() { d('rfq '+this.text.slice(0,30));
        this.settle();
    }
    settle() {
        this.finish(this.sourceError ?? this.serverError);
    }
    async pump() {
        const socket = this.connection?.stream;
        if (!socket)
            return;
        try {
            for await (const chunk of this.source) {
                if (this.failure)
                    break;
                const data = chunk;
                if (data.length === 0)
                    continue;
                const header = Buffer.allocUnsafe(5);
                header[0] = COPY_DATA;
                header.writeUInt32BE(data.length + 4, 1);
                socket.write(header);
                const room = socket.write(data, () => this.onChunkDone(data));
                this.bytes += data.length;
                if (!room && !this.failure)
                    await drained(socket);
            }
            d('pump end '+this.text.slice(0,30)+' '+!!this.failure); if (!this.failure)
                socket.write(Buffer.from([COPY_DONE, 0, 0, 0, 4]));
        }
        catch (err) { d('pump err '+this.text.slice(0,30)+' '+err.message+' destroyed='+socket.destroyed);
            if (this.failure)
                return; // the source was destroyed because the server failed first
            this.sourceError = err instanceof Error ? err : new Error(String(err));
            this.failure = this.sourceError;
            if (!socket.destroyed)
                socket.write(copyFail(this.sourceError.message));
        }
    }
}
function copyFail(message) {
    const text = Buffer.from(`${message.replaceAll('\0', ' ')}\0`, 'utf8');
    const out = Buffer.allocUnsafe(5 + text.length);
    out[0] = COPY_FAIL;
    out.writeUInt32BE(4 + text.length, 1);
    text.copy(out, 5);
    return out;
}
/** Resolves when the socket drains, or is closed (then the failure arrives through pg). */
function drained(socket) {
    return new Promise((resolve) => {
        const done = () => {
            socket.off('drain', done);
            socket.off('close', done);
            resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
    });
}
//# sourceMappingURL=copy-in.js.map