/**
 * True when `ref` names a single archive file rather than a repository. Apart from
 * open-repository.ts so that the CLI can tell before any store code loads.
 */
export function looksLikeArchive(ref: string): boolean {
  return ref.endsWith('.stow');
}
