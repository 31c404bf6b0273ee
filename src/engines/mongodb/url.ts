/** The database named in a MongoDB URL's path, if any (a URL may list several hosts, which URL() refuses). */
export function databaseFromUrl(url: string): string | undefined {
  const m = /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]*)/.exec(url);
  const db = m?.[1] ? decodeURIComponent(m[1]) : '';
  return db || undefined;
}
