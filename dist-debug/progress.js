/** A listener that ignores everything, for callers that do not care. */
export const ignoreProgress = () => { };
//# sourceMappingURL=progress.js.map