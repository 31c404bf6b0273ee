/**
 * Removes the password from a connection URL so it can be logged, shown in
 * errors or stored in a manifest. Unparseable input is replaced entirely rather
 * than risk echoing a secret.
 */
export function redactUrl(url) {
    try {
        const parsed = new URL(url);
        if (parsed.password)
            parsed.password = '***';
        for (const key of [...parsed.searchParams.keys()]) {
            if (/pass|secret|token|key/i.test(key))
                parsed.searchParams.set(key, '***');
        }
        return parsed.toString();
    }
    catch {
        return '<unparseable url>';
    }
}
/** Replaces every occurrence of any given secret in a message. */
export function redactSecrets(message, secrets) {
    let out = message;
    for (const secret of secrets) {
        if (secret && secret.length >= 3)
            out = out.split(secret).join('***');
    }
    return out;
}
//# sourceMappingURL=redact.js.map