// Parity: zero-argument aggregates (fixtures/postgres/parity/11-aggregate-star*.sql).
import { describeParityTheme } from './parity-theme.js';

describeParityTheme('zero-argument aggregates', { fixtures: ['11-aggregate-star'] });
