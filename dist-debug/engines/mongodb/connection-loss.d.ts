/**
 * True when an error (or any error in its `cause` chain) means the
 * connection to the server was lost or the server stopped, rather than the
 * server refusing an operation.
 */
export declare function isConnectionLoss(error: unknown): boolean;
