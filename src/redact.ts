/**
 * Removes the password from a connection string so it can be logged, shown in
 * errors or stored in a manifest, and keeps the rest as typed: URLs
 * (`user:password@`, and query parameters that look like secrets) and libpq
 * `key=value` strings (`password=…`). Text-based rather than a URL parser, so
 * forms the WHATWG parser refuses (several hosts, an empty host) still show.
 */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^@/?#]*@/i, '$1:***@')
    .replace(/([?&][^=&#]*(?:pass|secret|token|key)[^=&#]*=)[^&#]*/gi, '$1***')
    .replace(/(^|\s)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)/gi, '$1$2***');
}

/** The password a connection string carries, if any, in the forms {@link redactUrl} hides. */
export function passwordOf(url: string): string | undefined {
  const inUrl = /^[a-z][a-z0-9+.-]*:\/\/[^:@/?#]*:([^@/?#]*)@/i.exec(url)?.[1];
  const inQuery = /[?&]password=([^&#]*)/i.exec(url)?.[1];
  const keyword = /(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|\S*)/i.exec(url)?.[1];
  const raw = inUrl ?? inQuery;
  if (raw) {
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  if (keyword) return keyword.startsWith("'") ? keyword.slice(1, -1).replace(/\\(.)/g, '$1') : keyword;
  return undefined;
}

/** The forms a password may appear in within messages: as typed and percent-encoded. */
export function passwordSecrets(url: string): string[] {
  const password = passwordOf(url);
  return password ? [password, encodeURIComponent(password)] : [];
}

/** Replaces every occurrence of any given secret in a message. */
export function redactSecrets(message: string, secrets: (string | undefined)[]): string {
  let out = message;
  for (const secret of secrets) {
    if (secret && secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}
