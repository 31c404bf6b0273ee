/** The oldest Node.js stowage runs on: package.json `engines` (`>=22.13`). */
export const MINIMUM_NODE = { major: 22, minor: 13 } as const;

/**
 * The one line `stowage` prints instead of starting on a Node.js older than
 * {@link MINIMUM_NODE}, or undefined when this Node is new enough. Why check at
 * all: npm only warns about `engines`, and on Node 20 the CLI got as far as
 * loading its native compression addon, built for another Node, and crashed
 * there with a segmentation fault and no word on the cause.
 *
 * @param version a Node.js version as `process.versions.node` gives it (`20.20.2`)
 */
export function unsupportedNodeMessage(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  if (major > MINIMUM_NODE.major || (major === MINIMUM_NODE.major && minor >= MINIMUM_NODE.minor)) {
    return undefined;
  }
  const minimum = `${MINIMUM_NODE.major}.${MINIMUM_NODE.minor}`;
  return (
    `stowage needs Node.js ${minimum} or newer (this is ${version}); ` +
    'install a current LTS release (Node.js 22 or 24) from https://nodejs.org or with your version manager (nvm install 24), then run stowage again'
  );
}
