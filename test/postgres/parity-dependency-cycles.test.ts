// Parity: dependency cycles through row types and domains (fixtures/postgres/parity/14-dependency-cycles*.sql).
import { describeParityTheme } from './parity-theme.js';

describeParityTheme('dependency cycles through row types and domains', {
  fixtures: ['14-dependency-cycles'],
});
