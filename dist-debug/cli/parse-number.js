import { UsageError } from '../errors.js';
export function parseJobs(value) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 64)
        throw new UsageError(`--jobs must be a whole number from 1 to 64, got ${value}`);
    return n;
}
//# sourceMappingURL=parse-number.js.map