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
  if (raw) return decoded(raw);
  if (keyword) return keyword.startsWith("'") ? keyword.slice(1, -1).replace(/\\(.)/g, '$1') : keyword;
  return undefined;
}

/**
 * The names a connection string shows anyway (user, database, hosts), in URL
 * or `key=value` form. A password that is one of them, or part of one, must
 * not mask them: "database *** does not exist" helps no one, and the name is
 * in the redacted URL beside it.
 */
export function connectionNames(url: string): string[] {
  const names: string[] = [];
  const inUrl =
    /^[a-z][a-z0-9+.-]*:\/\/(?:([^:@/?#]*)(?::[^@/?#]*)?@)?([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?/i.exec(url);
  if (inUrl) {
    const [, user, hosts, database, query] = inUrl;
    names.push(decoded(user ?? ''), ...hostNames(decoded(hosts ?? '')), decoded(database ?? ''));
    for (const pair of (query ?? '').split('&')) {
      const [key, value = ''] = pair.split('=');
      if (key === 'user' || key === 'dbname') names.push(decoded(value));
      if (key === 'host') names.push(...hostNames(decoded(value)));
    }
  } else {
    for (const m of url.matchAll(/(?:^|\s)(user|dbname|host)\s*=\s*('(?:[^'\\]|\\.)*'|\S*)/gi)) {
      const raw = m[2] ?? '';
      const value = raw.startsWith("'") ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
      names.push(...(m[1]?.toLowerCase() === 'host' ? hostNames(value) : [value]));
    }
  }
  return names.filter((name) => name.length > 0);
}

/**
 * Passwords this short are masked in free text only where they stand as a
 * whole token (not inside a longer word or number): below it a password is
 * often a word ("shop", "test") or a number that also appears inside other
 * words, and masking every occurrence printed "c***nection" for a password
 * "on". Longer ones are masked wherever they appear.
 */
export const FREE_TEXT_MIN_LENGTH = 8;

/**
 * Masks a connection's password in a message (see docs/ERRORS.md, "Passwords
 * in messages"). Where it stands as a credential (`user:…@`, `password=…`,
 * `PGPASSWORD=…`, secret-named query parameters) it is masked whatever it is,
 * as is any other password in those forms. Anywhere else (a server may echo
 * it) it is masked too unless it is itself one of `names` (shown anyway), and
 * never inside one of `names`; a password shorter than
 * {@link FREE_TEXT_MIN_LENGTH} only where it stands as a whole token.
 */
export function redactPassword(
  message: string,
  password: string | undefined,
  names: (string | undefined)[],
): string {
  let out = message;
  const forms = password ? [...new Set([password, encodeURIComponent(password)])] : [];
  for (const form of forms) out = maskAsCredential(out, form);
  out = maskCredentialForms(out);
  const shown = names.filter((name): name is string => !!name);
  if (!password || shown.includes(password)) return out;
  const wholeTokens = password.length < FREE_TEXT_MIN_LENGTH;
  for (const form of forms) out = maskOutsideNames(out, form, shown, wholeTokens);
  return out;
}

/** {@link redactPassword} with the password and names a connection string carries. */
export function redactConnection(message: string, url: string): string {
  return redactPassword(message, passwordOf(url), connectionNames(url));
}

/**
 * Replaces every occurrence of any given secret in a message. For secrets that
 * are never words (webhook tokens, keys); passwords go through
 * {@link redactPassword}.
 */
export function redactSecrets(message: string, secrets: (string | undefined)[]): string {
  let out = message;
  for (const secret of secrets) {
    if (secret && secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}

/** The known password where it stands as one: URL userinfo, or after a password-like keyword. */
function maskAsCredential(message: string, password: string): string {
  const p = escapeRegExp(password);
  return message
    .replace(new RegExp(`:${p}@`, 'g'), ':***@')
    .replace(
      new RegExp(
        `(\\w*(?:password|passwd|secret|passphrase)\\w*["']?\\s*[=:]\\s*["']?)${p}(?![^\\s'"&,;)])`,
        'gi',
      ),
      '$1***',
    );
}

/** Any password in a credential form, whether or not it is the one we know. */
function maskCredentialForms(message: string): string {
  return message
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*):[^\s@/?#]*@/gi, '$1:***@')
    .replace(/([?&][^=&#\s]*(?:pass|secret|token|key)[^=&#\s]*=)[^&#\s]*/gi, '$1***')
    .replace(
      /(^|[\s'"(,;])(\w*(?:password|passwd|secret|passphrase)\w*\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s'",;)]+)/gi,
      '$1$2***',
    );
}

/**
 * Masks `secret` in free text, leaving the names that contain it whole. With
 * `wholeTokens`, only occurrences with no letter, digit or underscore right
 * before or after them: the secret standing on its own, not part of a word.
 */
function maskOutsideNames(message: string, secret: string, names: string[], wholeTokens: boolean): string {
  const pattern = wholeTokens
    ? new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(secret)}(?![\\p{L}\\p{N}_])`, 'gu')
    : new RegExp(escapeRegExp(secret), 'g');
  const shielded = nameSpans(
    message,
    names.filter((name) => name.includes(secret)),
  );
  return message.replace(pattern, (found: string, at: number) =>
    shielded.some(([start, end]) => at < end && at + found.length > start) ? found : '***',
  );
}

/** Where `names` occur in `message`, longest name first where they overlap. */
function nameSpans(message: string, names: string[]): [number, number][] {
  if (names.length === 0) return [];
  const longestFirst = [...names].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(longestFirst.map(escapeRegExp).join('|'), 'g');
  return [...message.matchAll(pattern)].map((m): [number, number] => [m.index, m.index + m[0].length]);
}

/** Host names of a host list (`db1,db2:5433`, `[::1]:5432`), ports dropped. */
function hostNames(hosts: string): string[] {
  return hosts
    .split(',')
    .map((host) => host.replace(/^\[(.*)\](?::\d*)?$/, '$1').replace(/^([^:]*):\d*$/, '$1'));
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
