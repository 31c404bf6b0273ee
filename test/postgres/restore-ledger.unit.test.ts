import { describe, expect, it } from 'vitest';
import { RestoreLedger } from '../../src/engines/postgres/restore-ledger.js';

describe('restore ledger', () => {
  it('counts the committed parts and rows of tables that are not complete yet', () => {
    const ledger = new RestoreLedger();
    ledger.plan('pre-data', 3, 'objects');
    ledger.plan('data', 5, 'tables');
    ledger.planParts(12);
    for (let i = 0; i < 3; i++) ledger.tick('pre-data');
    // Two parts of a split table committed, the table itself not yet complete.
    ledger.partCommitted(999_912);
    ledger.partCommitted(999_912);
    // An INSERT load that failed after 17 statements' rows.
    ledger.rowsCommitted(17);
    expect(ledger.describe()).toBe(
      'pre-data 3/3 objects, data 0/5 tables (2/12 parts, 1,999,841 rows committed)',
    );
    expect(ledger.failure(new Error('boom')).message).toBe(
      'restore failed: boom; already applied: pre-data 3/3 objects, data 0/5 tables (2/12 parts, 1,999,841 rows committed)',
    );
  });
});
