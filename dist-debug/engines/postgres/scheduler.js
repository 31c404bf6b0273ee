import { d } from '../../dbg.js';
export async function runTasks(tasks, workers, options = {}) {
    const ids = new Set(tasks.map((t) => t.id));
    const done = new Set();
    const pending = [...tasks];
    const held = new Map();
    let failure;
    let wake;
    let running = 0;
    const ready = (t) => (t.deps ?? []).every((d) => done.has(d) || !ids.has(d)) &&
        (t.locks ?? []).every((l) => {
            const h = held.get(l.key);
            return !h || (h.mode === 'share' && l.mode === 'share');
        });
    const take = () => {
        const i = pending.findIndex(ready);
        if (i < 0)
            return undefined;
        const [task] = pending.splice(i, 1);
        for (const l of task?.locks ?? []) {
            const h = held.get(l.key);
            if (h)
                h.count++;
            else
                held.set(l.key, { mode: l.mode, count: 1 });
        }
        return task;
    };
    const release = (task) => {
        for (const l of task.locks ?? []) {
            const h = held.get(l.key);
            if (h && --h.count === 0)
                held.delete(l.key);
        }
        done.add(task.id);
        const w = wake;
        wake = undefined;
        w?.();
    };
    const worker = async (w) => {
        while (!failure && pending.length) {
            if (options.signal?.aborted) {
                failure ??= { error: options.signal.reason };
                break;
            }
            const task = take();
            if (!task) {
                if (running === 0) {
                    failure ??= {
                        error: new Error(`tasks cannot start (dependency cycle): ${pending.map((t) => t.id).join(', ')}`),
                    };
                    break;
                }
                // Wait for a running task to finish, then look again.
                await new Promise((resolve) => {
                    const previous = wake;
                    wake = () => {
                        previous?.();
                        resolve();
                    };
                });
                continue;
            }
            running++;
            try {
                d('task start '+task.id); await task.run(w); d('task ok '+task.id);
            }
            catch (error) { d('task fail '+task.id+' '+error.message);
                if (!failure) {
                    failure = { error };
                    options.onFailure?.(error);
                }
            }
            finally {
                running--;
                release(task);
            }
        }
        // Let idle workers notice the end.
        const w2 = wake;
        wake = undefined;
        w2?.();
    };
    await Promise.all(workers.map(worker)); d('runTasks done');
    if (failure)
        throw failure.error;
}
//# sourceMappingURL=scheduler.js.map