/** Name of the side file holding an archive's latest verification result. */
export function verificationFileName(archive) {
    return `${archive}.verify.json`;
}
//# sourceMappingURL=repository.js.map