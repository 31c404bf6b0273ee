/**
 * Removes the password from a connection URL so it can be logged, shown in
 * errors or stored in a manifest. Unparseable input is replaced entirely rather
 * than risk echoing a secret.
 */
export declare function redactUrl(url: string): string;
/** Replaces every occurrence of any given secret in a message. */
export declare function redactSecrets(message: string, secrets: (string | undefined)[]): string;
