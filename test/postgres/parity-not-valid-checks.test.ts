// Parity: NOT VALID checks on inheritance parents (fixtures/postgres/parity/15-not-valid-inherited-check*.sql).
import { describeParityTheme } from './parity-theme.js';

describeParityTheme('NOT VALID checks on inheritance parents', {
  fixtures: ['15-not-valid-inherited-check'],
});
