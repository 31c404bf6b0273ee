/**
 * `JSON.stringify` in pieces: the same text as UTF-8, handed out a few hundred KiB at a
 * time, so a large document (a manifest describing 100,000 schema objects is
 * tens of MiB) can be compressed as it is written instead of existing once as
 * a string and again as a buffer.
 *
 * Long arrays, and the objects that hold them, are written element by element;
 * anything small is handed to `JSON.stringify` whole, which is where the
 * speed is.
 */

/** Arrays longer than this are written element by element. */
const SPLIT_LENGTH = 64;
/** Small items of a split array are written this many at a time. */
const RUN_LENGTH = 128;

/**
 * A value that already holds its JSON text (packed-json.ts) gives it here, as UTF-8
 * pieces: {@link jsonPieceBytes} writes those bytes where the value goes, without
 * turning the value back into objects. A piece may be a buffer the value fills
 * again for its next piece: it is copied before the next is asked for. A string piece is JSON
 * text as well, encoded where it goes.
 */
export const JSON_TEXT = Symbol('stowage.json-text');

/** A value whose JSON text is {@link JSON_TEXT}'s pieces, one after another. */
export interface HasJsonText {
  [JSON_TEXT](): Iterable<Buffer | string>;
}

/**
 * The UTF-8 bytes of `JSON.stringify(value)` in order, in buffers of at most
 * `pieceSize` bytes (or one part longer than a third of it, on its own). Values
 * JSON cannot hold follow `JSON.stringify`: `undefined` and functions are left
 * out of objects and written `null` in arrays, `toJSON()` is honoured. Each
 * part is encoded straight into the buffer: no string of a whole piece is
 * built, flattened and then encoded, which at 20,000 tables was a fifth of the
 * footer's CPU, and as much again in the garbage it left. Every buffer is new:
 * a consumer may keep it; with `reuse`, the pieces of up to `pieceSize` bytes are
 * one buffer filled again once the consumer asks for the next piece (a consumer
 * that copies or compresses each piece at once then leaves no garbage behind).
 */
export function* jsonPieceBytes(value: unknown, pieceSize = 256 * 1024, reuse = false): Generator<Buffer> {
  let buffer = Buffer.allocUnsafe(pieceSize);
  const next = () => (reuse ? buffer : Buffer.allocUnsafe(pieceSize));
  let at = 0;
  for (const text of jsonParts(value)) {
    if (typeof text !== 'string') {
      // Text given as bytes (a packed value's), valid until the next part: copied.
      if (at + text.length <= buffer.length) {
        at += text.copy(buffer, at);
        continue;
      }
      if (at > 0) {
        yield buffer.subarray(0, at);
        buffer = next();
        at = 0;
      }
      if (text.length > buffer.length) yield Buffer.from(text);
      else at = text.copy(buffer);
      continue;
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair, 2 units, takes 4): room for that is room enough.
    const most = text.length * 3;
    if (at > 0 && at + most > buffer.length) {
      yield buffer.subarray(0, at);
      buffer = next();
      at = 0;
    }
    if (most > buffer.length) yield Buffer.from(text, 'utf8');
    else at += buffer.write(text, at, 'utf8');
  }
  if (at > 0) yield buffer.subarray(0, at);
}

function* jsonParts(value: unknown): Generator<string | Buffer> {
  if (hasJsonText(value)) {
    yield* value[JSON_TEXT]();
    return;
  }
  if (!isLarge(value)) {
    // undefined at the top level: JSON.stringify gives no text at all.
    const text = JSON.stringify(value);
    if (text !== undefined) yield text;
    return;
  }
  if (Array.isArray(value)) {
    yield '[';
    let i = 0;
    while (i < value.length) {
      if (i > 0) yield ',';
      // Items are only looked into when they are long arrays themselves: a deep look at every
      // record cost more CPU than the serializing (a record with large contents is one bigger piece).
      if (writtenApart(value[i])) {
        yield* jsonParts(value[i]);
        i++;
        continue;
      }
      // A run of small items in one native call: an array's slice has the same text as
      // those items in the whole array (undefined, functions and holes become null alike).
      let end = i + 1;
      while (end < value.length && end - i < RUN_LENGTH && !writtenApart(value[end])) end++;
      yield JSON.stringify(value.slice(i, end)).slice(1, -1);
      i = end;
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  for (const key of Object.keys(value as object)) {
    const item = (value as Record<string, unknown>)[key];
    if (isLarge(item)) {
      yield `${first ? '' : ','}${JSON.stringify(key)}:`;
      yield* jsonParts(item);
    } else {
      const text = JSON.stringify(item);
      if (text === undefined) continue;
      yield `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
    }
    first = false;
  }
  yield '}';
}

function hasJsonText(value: unknown): value is HasJsonText {
  return typeof value === 'object' && value !== null && JSON_TEXT in value;
}

/** An array item written on its own: a long array, or a value holding its own text. */
function writtenApart(value: unknown): boolean {
  return (Array.isArray(value) && value.length > SPLIT_LENGTH) || hasJsonText(value);
}

/**
 * Worth writing in parts: a long array, or a plain object holding one (at any
 * depth through plain objects). Anything with `toJSON` is left to JSON.stringify.
 */
function isLarge(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  // Its text must come from it, not from its toJSON: an object holding it is written in parts.
  if (hasJsonText(value)) return true;
  if (Array.isArray(value)) return value.length > SPLIT_LENGTH;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  for (const key in value) {
    if (Object.hasOwn(value, key) && isLarge((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}
