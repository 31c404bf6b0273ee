import { Long, ReadPreference, } from 'mongodb';
/** Picks the fastest reader that is correct for this client's topology and read preference. */
export function openBatchReader(client, query, topology) {
    const primary = client.readPreference.mode === ReadPreference.PRIMARY;
    return primary && topology !== 'sharded'
        ? new CommandBatchReader(client, query)
        : new CursorBatchReader(client, query);
}
const RAW_BATCHES = { promoteLongs: false, fieldsAsRaw: { firstBatch: true, nextBatch: true } };
class CommandBatchReader {
    client;
    query;
    session;
    cursorId;
    done = false;
    constructor(client, query) {
        this.client = client;
        this.query = query;
    }
    async next() {
        const db = this.client.db(this.query.db);
        const options = { ...RAW_BATCHES, readPreference: ReadPreference.primary };
        // Loops only over empty batches of a live cursor, which servers may return.
        while (!this.done) {
            let batch;
            let id;
            if (!this.session) {
                // One explicit session: a getMore must come from the session that opened the cursor.
                this.session = this.client.startSession({ causalConsistency: false });
                const command = {
                    find: this.query.collection,
                    filter: this.query.filter,
                    batchSize: this.query.batchSize,
                };
                if (this.query.natural)
                    command.hint = { $natural: 1 };
                const reply = await db.command(command, { ...options, session: this.session });
                batch = reply.cursor?.firstBatch;
                id = reply.cursor?.id;
            }
            else if (this.cursorId) {
                const reply = await db.command({ getMore: this.cursorId, collection: this.query.collection, batchSize: this.query.batchSize }, { ...options, session: this.session });
                batch = reply.cursor?.nextBatch;
                id = reply.cursor?.id;
            }
            else {
                break;
            }
            const cursorId = id instanceof Long ? id : Long.fromValue((id ?? 0));
            this.cursorId = cursorId.isZero() ? undefined : cursorId;
            if (!this.cursorId)
                this.done = true;
            const docs = (batch ?? []);
            if (docs.length > 0)
                return docs;
        }
        this.done = true;
        return null;
    }
    async close() {
        const session = this.session;
        const id = this.cursorId;
        this.done = true;
        this.cursorId = undefined;
        if (!session)
            return;
        try {
            if (id) {
                await this.client
                    .db(this.query.db)
                    .command({ killCursors: this.query.collection, cursors: [id] }, { session })
                    .catch(() => { });
            }
        }
        finally {
            await session.endSession().catch(() => { });
        }
    }
}
class CursorBatchReader {
    cursor;
    constructor(client, query) {
        this.cursor = client
            .db(query.db)
            .collection(query.collection)
            .find(query.filter, {
            raw: true,
            batchSize: query.batchSize,
            ...(query.natural ? { hint: { $natural: 1 } } : {}),
        });
    }
    async next() {
        if (!(await this.cursor.hasNext()))
            return null;
        return this.cursor.readBufferedDocuments();
    }
    async close() {
        await this.cursor.close().catch(() => { });
    }
}
//# sourceMappingURL=raw-batches.js.map