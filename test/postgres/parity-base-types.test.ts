// Parity: base types with internal and C I/O functions (fixtures/postgres/parity/10-base-types*.sql).
import { describeParity } from './parity-suite.js';

describeParity('base types with internal and C I/O functions', [
  '10-base-types.sql',
  '10-base-types-used.sql',
]);
