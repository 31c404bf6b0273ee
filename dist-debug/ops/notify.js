import { formatAge } from '../catalog/status.js';
import { StowageError } from '../errors.js';
/** The human text of a notification. */
export function notificationText(event) {
    const who = `${event.job ? `job ${event.job}: ` : ''}${event.database}`;
    if (event.status === 'success') {
        const size = event.bytes !== undefined ? `, ${(event.bytes / 1024 / 1024).toFixed(1)} MiB` : '';
        const took = event.durationMs !== undefined ? ` in ${formatAge(event.durationMs)}` : '';
        const verified = event.verified === undefined ? '' : event.verified ? ', verified' : ', VERIFICATION FAILED';
        return `:white_check_mark: stowage backup of ${who} succeeded${took}${size}${verified} → ${event.archive ?? event.repository}`;
    }
    const verb = event.status === 'failure' ? 'FAILED' : 'was interrupted';
    return `:x: stowage backup of ${who} ${verb}${event.host ? ` on ${event.host}` : ''}: ${event.error ?? 'unknown error'} (repository ${event.repository})`;
}
/** Whether a webhook wants this event. */
export function wantsEvent(options, event) {
    return event.status === 'success' ? options.onSuccess === true : options.onFailure !== false;
}
/**
 * Posts an event to a webhook when its options ask for it. Throws a
 * StowageError naming only the webhook's host when the POST fails; callers
 * that must not fail because of a notification catch it and log.
 */
export async function notify(options, event) {
    if (!wantsEvent(options, event))
        return false;
    const text = notificationText(event);
    const body = options.format === 'json' ? { text, ...event } : { text };
    const host = safeHost(options.url);
    let response;
    try {
        response = await fetch(options.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
    }
    catch (err) {
        throw new StowageError('webhook-failed', `webhook ${host} unreachable: ${err.message}`, undefined, { cause: err });
    }
    if (!response.ok) {
        throw new StowageError('webhook-failed', `webhook ${host} answered HTTP ${response.status}`);
    }
    await response.body?.cancel().catch(() => { });
    return true;
}
/** The host of a webhook URL: the path of a Slack webhook is its secret. */
export function safeHost(url) {
    try {
        return new URL(url).host;
    }
    catch {
        return '<invalid webhook URL>';
    }
}
//# sourceMappingURL=notify.js.map