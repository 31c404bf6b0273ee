/** Text written during one tick, sent to the sink in one write when the tick ends. */
export interface TickWriter {
  write(text: string): void;
  /** Sends what is held now (before the run returns, so whoever reads the sink next has it all). */
  flush(): void;
}

/**
 * Holds what is written until the current tick ends and sends it in one
 * write: one system call for the lines logged together, where each line was
 * one of its own. A batch of a hundred small tables often ends within one
 * socket read, and a backup of thousands of tables spent more CPU writing its
 * "done" lines than ordering its schema. Everything written through one
 * TickWriter keeps its order; only writes that bypass it can overtake it.
 */
export function tickWriter(sink: { write(text: string): unknown }): TickWriter {
  let pending = '';
  const flush = () => {
    if (!pending) return;
    const text = pending;
    pending = '';
    sink.write(text);
  };
  return {
    write(text) {
      if (!text) return;
      if (!pending) process.nextTick(flush);
      pending += text;
    },
    flush,
  };
}
