import { StowageError } from '../../errors.js';
/**
 * Turns driver errors into one-line {@link StowageError}s with a hint, so
 * the CLI never prints a driver stack or a topology dump, and never a
 * credential. Anything already a StowageError passes through unchanged.
 */
/** Server error codes we give a specific message. */
export declare const MongoCodes: {
    readonly Unauthorized: 13;
    readonly AuthenticationFailed: 18;
    readonly NamespaceNotFound: 26;
    readonly CursorNotFound: 43;
    readonly NamespaceExists: 48;
    readonly DocumentValidationFailure: 121;
    readonly CommandNotFound: 59;
    readonly QueryPlanKilled: 175;
    readonly InterruptedAtShutdown: 11600;
    readonly InterruptedDueToReplStateChange: 11602;
    readonly DuplicateKey: 11000;
    readonly BSONObjectTooLarge: 10334;
    readonly OplogQueryMinTsMissing: 326;
    readonly OperationNotSupportedInTransaction: 263;
};
/** What the engine was doing, for the message: "… during backup of shop.orders". */
export interface ErrorContext {
    url: string;
    /** e.g. `backup of shop.orders`, `connecting`. */
    during?: string;
}
/** Translates any error into a StowageError (passing StowageErrors through). */
export declare function toStowageError(error: unknown, context: ErrorContext): StowageError;
/** True for server errors that mean "this collection or cursor went away under us". */
export declare function isNamespaceGone(error: unknown): boolean;
