import { formatAge } from '../catalog/status.js';
import { StowageError } from '../errors.js';
import { redactSecrets } from '../redact.js';

/** Where and when to send notifications. */
export interface WebhookOptions {
  /** The webhook URL (e.g. a Slack incoming webhook). It is a secret: never logged in full. */
  url: string;
  /** Notify on failures (default true). */
  onFailure?: boolean;
  /** Notify on successes too (default false). */
  onSuccess?: boolean;
  /**
   * `slack` (default): `{ "text": "…" }`, which Slack, Mattermost, Rocket.Chat
   * and Discord's Slack-compatible endpoint accept. `json`: the same text plus
   * every field of the event, for your own receivers.
   */
  format?: 'slack' | 'json';
  timeoutMs?: number;
}

/** What happened, as sent to a webhook. */
export interface RunEvent {
  /** `warning`: nothing failed yet, but will (a continuous job's slot holding too much WAL). */
  status: 'success' | 'failure' | 'interrupted' | 'warning';
  job?: string;
  database: string;
  repository: string;
  archive?: string;
  bytes?: number;
  durationMs?: number;
  /** One line, passwords removed. */
  error?: string;
  /** Verification after the backup, when run. */
  verified?: boolean;
  /** What retention deleted after the run. */
  pruned?: number;
  host?: string;
}

/** The human text of a notification. */
export function notificationText(event: RunEvent): string {
  const who = `${event.job ? `job ${event.job}: ` : ''}${event.database}`;
  if (event.status === 'success') {
    const size = event.bytes !== undefined ? `, ${(event.bytes / 1024 / 1024).toFixed(1)} MiB` : '';
    const took = event.durationMs !== undefined ? ` in ${formatAge(event.durationMs)}` : '';
    const verified =
      event.verified === undefined ? '' : event.verified ? ', verified' : ', VERIFICATION FAILED';
    return `:white_check_mark: stowage backup of ${who} succeeded${took}${size}${verified} → ${event.archive ?? event.repository}`;
  }
  if (event.status === 'warning')
    return `:warning: stowage ${who}${event.host ? ` on ${event.host}` : ''}: ${event.error ?? 'unknown problem'} (repository ${event.repository})`;
  const verb = event.status === 'failure' ? 'FAILED' : 'was interrupted';
  return `:x: stowage backup of ${who} ${verb}${event.host ? ` on ${event.host}` : ''}: ${event.error ?? 'unknown error'} (repository ${event.repository})`;
}

/** Whether a webhook wants this event. */
export function wantsEvent(options: WebhookOptions, event: RunEvent): boolean {
  return event.status === 'success' ? options.onSuccess === true : options.onFailure !== false;
}

/**
 * Posts an event to a webhook when its options ask for it. Throws a
 * StowageError naming only the webhook's host when the POST fails; callers
 * that must not fail because of a notification catch it and log.
 */
export async function notify(options: WebhookOptions, event: RunEvent): Promise<boolean> {
  if (!wantsEvent(options, event)) return false;
  const text = notificationText(event);
  const body = options.format === 'json' ? { text, ...event } : { text };
  const host = safeHost(options.url);
  const problem = webhookUrlProblem(options.url);
  if (problem) throw new StowageError('webhook-failed', `webhook ${host}: ${problem}`);
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new StowageError(
      'webhook-failed',
      // fetch's messages may quote the whole URL (its path and query are the secret).
      `webhook ${host} unreachable: ${redactWebhook(describeFetchError(err), options.url)}`,
      undefined,
      { cause: err },
    );
  }
  if (!response.ok) {
    throw new StowageError('webhook-failed', `webhook ${host} answered HTTP ${response.status}`);
  }
  await response.body?.cancel().catch(() => {});
  return true;
}

/**
 * What makes a webhook URL unusable, or undefined: not http(s), or carrying
 * credentials (`user:password@`), which fetch refuses to send, so such a
 * webhook could never deliver a single alert.
 */
export function webhookUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return 'must be an http:// or https:// URL';
  if (parsed.username || parsed.password) {
    return 'a webhook URL cannot carry credentials (user:password@host): put the token in its path or query instead';
  }
  return undefined;
}

/** The error text of a failed fetch, with its cause (undici puts the useful part there). */
function describeFetchError(err: unknown): string {
  const message = (err as Error)?.message ?? String(err);
  const cause = (err as { cause?: { message?: string } })?.cause?.message;
  return cause && !message.includes(cause) ? `${message}: ${cause}` : message;
}

/** Removes every secret part of a webhook URL (the whole URL, credentials, path, query) from a message. */
function redactWebhook(message: string, url: string): string {
  const secrets = [url];
  try {
    const parsed = new URL(url);
    secrets.push(parsed.href, decodeURIComponent(parsed.password), parsed.password, parsed.username);
    if (parsed.pathname.length > 1) secrets.push(parsed.pathname);
    if (parsed.search) secrets.push(parsed.search);
    for (const value of parsed.searchParams.values()) secrets.push(value);
  } catch {
    // unparseable: the whole URL above is all there is to remove
  }
  return redactSecrets(
    message,
    secrets.sort((a, b) => b.length - a.length),
  );
}

/** The host of a webhook URL: the path of a Slack webhook is its secret. */
export function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '<invalid webhook URL>';
  }
}
