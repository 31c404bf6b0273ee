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
    status: 'success' | 'failure' | 'interrupted';
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
export declare function notificationText(event: RunEvent): string;
/** Whether a webhook wants this event. */
export declare function wantsEvent(options: WebhookOptions, event: RunEvent): boolean;
/**
 * Posts an event to a webhook when its options ask for it. Throws a
 * StowageError naming only the webhook's host when the POST fails; callers
 * that must not fail because of a notification catch it and log.
 */
export declare function notify(options: WebhookOptions, event: RunEvent): Promise<boolean>;
/** The host of a webhook URL: the path of a Slack webhook is its secret. */
export declare function safeHost(url: string): string;
