import type { FrameHeader } from './format.js';
import { type FrameIdentity } from './frame-codec.js';
/** Codec worker: compresses/encrypts and verifies/decrypts frames off the main thread. */
export type WorkerRequest = {
    id: number;
    op: 'encode';
    ident: FrameIdentity;
    raw: Uint8Array;
    out?: Uint8Array;
} | {
    id: number;
    op: 'decode';
    header: FrameHeader;
    stored: Uint8Array;
    crc: number;
    out?: Uint8Array;
};
export type WorkerReply = {
    id: number;
    data: Uint8Array;
    spare?: Uint8Array;
} | {
    id: number;
    problem: string;
} | {
    id: number;
    error: string;
};
