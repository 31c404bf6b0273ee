/** A typed array of `size` elements (at least the array's) that starts with the array's elements. */
export function grown<A extends Uint8Array | Uint32Array | Int32Array | Float64Array>(
  array: A,
  size: number,
): A {
  const out = new (array.constructor as new (size: number) => A)(size);
  out.set(array);
  return out;
}
