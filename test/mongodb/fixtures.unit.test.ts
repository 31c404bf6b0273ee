import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BSON_CASES, caseDocument, everythingDocument } from './support/bson-cases.js';

// fixtures/mongodb/all-types.bson is the stream a backup of the all-types
// cases produces: every case document, then one document holding them all.
// Other tools (and future versions) can check themselves against it. Rewrite
// it with STOWAGE_UPDATE_FIXTURES=1 after changing the cases on purpose.
const FIXTURE = new URL('../../fixtures/mongodb/all-types.bson', import.meta.url);

describe('fixtures/mongodb/all-types.bson', () => {
  const bytes = Buffer.concat([...BSON_CASES.map((_, i) => caseDocument(i)), everythingDocument()]);

  it('matches the generated all-types stream', () => {
    if (process.env.STOWAGE_UPDATE_FIXTURES === '1' || !existsSync(FIXTURE)) writeFileSync(FIXTURE, bytes);
    expect(readFileSync(FIXTURE).equals(bytes)).toBe(true);
  });
});
