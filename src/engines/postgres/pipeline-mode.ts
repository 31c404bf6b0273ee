import type pg from 'pg';

/**
 * pg's pipeline mode, switched on for a moment. A `pg.Client` made with `pipeline: true` writes
 * each query as soon as it is given (each with its own Sync, so an error ends only its own
 * query: the server skips to that Sync and answers the next one), and hands each answer to the
 * query sent in that place. Made so for good it refuses every custom query class (pg-copy-streams,
 * the backup's CopyOut): a COPY keeps the connection in a mode of its own. So a session turns it
 * on only to send a plain query while others are still being answered, and pg turns it off again
 * once its last answer is in (`'drain'`): between those moments nothing but plain queries can be
 * outstanding, and a COPY given afterwards goes out as before.
 *
 * The fields read here are pg's own (8.23): its queue of queries not yet written, the one being
 * answered, and those written behind it.
 */
interface PipelinedClient {
  pipeline: boolean;
  _queryQueue: unknown[];
  _activeQuery: unknown;
  _sentQueryQueue: unknown[];
  _queryable: boolean;
  _ending: boolean;
}

const pipelineOff = new WeakSet<pg.Client>();

function internals(client: pg.Client): PipelinedClient {
  return client as unknown as PipelinedClient;
}

/**
 * Whether a plain query can be written now, behind the ones the client is answering: nothing
 * waits in pg's own queue (a statement given to the client directly, such as a COPY, which must
 * not be overtaken nor written into a pipeline), and the connection is usable.
 */
export function canPipeline(client: pg.Client): boolean {
  const c = internals(client);
  return Array.isArray(c._sentQueryQueue) && c._queryQueue.length === 0 && c._queryable && !c._ending;
}

/** Switches pipeline mode on until every query sent has its answer (see the file's comment). */
export function enterPipeline(client: pg.Client): void {
  if (!pipelineOff.has(client)) {
    pipelineOff.add(client);
    // pg emits 'drain' right after the ReadyForQuery of the last query outstanding, before any
    // code awaiting that answer resumes: off again before anyone can give it a COPY.
    client.on('drain', () => {
      const c = internals(client);
      if (c.pipeline && !c._activeQuery && c._sentQueryQueue.length === 0) c.pipeline = false;
    });
  }
  internals(client).pipeline = true;
}
