// Parity: a view calling a function over its own row type (fixtures/postgres/parity/18-view-function-cycle*.sql).
import { describeParityTheme } from './parity-theme.js';

describeParityTheme('a view calling a function over its own row type', {
  fixtures: ['18-view-function-cycle'],
});
