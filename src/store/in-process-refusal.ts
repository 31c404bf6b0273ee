/**
 * Whether stores that live inside this process (memory://) are refused. Its
 * own module, so the CLI can set it at start without loading the store
 * registry (and zod with it).
 */
let refused = false;

/** Makes every later use of an in-process store (memory://) a usage error; the CLI calls it at start. */
export function refuseInProcessStores(): void {
  refused = true;
}

/** True once {@link refuseInProcessStores} was called. */
export function inProcessStoresRefused(): boolean {
  return refused;
}
