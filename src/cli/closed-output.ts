/** What a shell reports for a process a closed pipe ended: 128 + SIGPIPE. */
const CLOSED_PIPE_STATUS = 141;

/**
 * Ends the process quietly when the reader of stdout or stderr goes away
 * (`stowage backup --help | head -3`), as a closed pipe ends pg_dump, instead
 * of an unhandled EPIPE stack trace. Once `main` has set its exit status (help
 * printed, a list written) that status stands; mid-command it is 141. Any
 * other stream error is rethrown.
 */
export function exitQuietlyOnClosedOutput(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? CLOSED_PIPE_STATUS);
  });
}
