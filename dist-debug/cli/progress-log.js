import { formatBytes } from './format-bytes.js';
/**
 * Renders progress as timestamped log lines on stderr: what cron, systemd and
 * CI logs want. Per-unit progress is throttled to one line every few seconds.
 */
export function progressLog(write = (l) => process.stderr.write(`${l}\n`)) {
    const started = Date.now();
    let lastTick = 0;
    let doneBytes = 0;
    const inFlight = new Map();
    const stamp = () => new Date().toISOString().slice(11, 19);
    const rate = (bytes) => `${formatBytes(bytes / Math.max(0.001, (Date.now() - started) / 1000))}/s`;
    return (event) => {
        switch (event.type) {
            case 'phase':
                write(`${stamp()} ${event.phase}${event.message ? `: ${event.message}` : ''}`);
                break;
            case 'warning':
                write(`${stamp()} warning: ${event.message}`);
                break;
            case 'plan':
                write(`${stamp()} ${event.units.length} tables/collections to process`);
                break;
            case 'unit-start':
                inFlight.set(event.name, { items: 0, bytes: 0 });
                break;
            case 'unit-progress': {
                inFlight.set(event.name, { items: event.items, bytes: event.bytes });
                const now = Date.now();
                if (now - lastTick > 5000) {
                    lastTick = now;
                    const bytes = doneBytes + [...inFlight.values()].reduce((n, u) => n + u.bytes, 0);
                    write(`${stamp()} … ${formatBytes(bytes)} so far (${rate(bytes)})`);
                }
                break;
            }
            case 'unit-done':
                inFlight.delete(event.name);
                doneBytes += event.bytes;
                write(`${stamp()} done ${event.name}: ${event.items} items, ${formatBytes(event.bytes)}`);
                break;
        }
    };
}
//# sourceMappingURL=progress-log.js.map