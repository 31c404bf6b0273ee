// Parity: inherited generated columns declared by children (fixtures/postgres/parity/12-inherited-generated*.sql).
import { describeParityTheme } from './parity-theme.js';

describeParityTheme('inherited generated columns declared by children', {
  fixtures: ['12-inherited-generated'],
});
