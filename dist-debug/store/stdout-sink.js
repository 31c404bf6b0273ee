/**
 * Writes an archive to standard output, for pipes (`stowage backup … --to - | …`).
 * There is no rename to make a pipe atomic: a failed backup ends the output
 * without a trailer, which every reader rejects as truncated.
 */
export class StdoutSink {
    location = '<stdout>';
    async write(chunk) {
        if (!process.stdout.write(chunk)) {
            await new Promise((resolve, reject) => {
                process.stdout.once('drain', resolve);
                process.stdout.once('error', reject);
            });
        }
    }
    async commit() {
        await new Promise((resolve) => process.stdout.write('', () => resolve()));
    }
    async abort() { }
}
//# sourceMappingURL=stdout-sink.js.map