// Parity: operators used by policies, defaults, checks, indexes, views (fixtures/postgres/parity/16-operator-users*.sql).
import { describeParityTheme } from './parity-theme.js';

describeParityTheme('operators used by policies, defaults, checks, indexes, views', {
  fixtures: ['16-operator-users'],
});
