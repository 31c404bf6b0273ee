import { setFlagsFromString } from 'node:v8';

/**
 * V8's own test of a string's representation (a cons string, a tree of
 * concatenations, is not flat), where this V8 has it: Node 24's does, Node
 * 22's V8 12.4 has no such intrinsic, so tests of flatness skip there.
 */
export const isFlatString: ((s: string) => boolean) | undefined = (() => {
  setFlagsFromString('--allow-natives-syntax');
  try {
    return new Function('s', 'return %StringIsFlat(s)') as (s: string) => boolean;
  } catch {
    process.stdout.write(
      `[stowage-test] string flatness checks skipped: V8 ${process.versions.v8} has no %StringIsFlat\n`,
    );
    return undefined;
  }
})();

/**
 * Whether two strings are the very same string in the heap (equal strings
 * compare equal either way), where this V8 has the intrinsic.
 */
export const isSameString: ((a: string, b: string) => boolean) | undefined = (() => {
  setFlagsFromString('--allow-natives-syntax');
  try {
    return new Function('a', 'b', 'return %IsSameHeapObject(a, b)') as (a: string, b: string) => boolean;
  } catch {
    process.stdout.write(
      `[stowage-test] string identity checks skipped: V8 ${process.versions.v8} has no %IsSameHeapObject\n`,
    );
    return undefined;
  }
})();
