// Parity: base types with internal and C I/O functions (fixtures/postgres/parity/10-*.sql).
import { describeParityTheme } from './parity-theme.js';

describeParityTheme('base types with internal and C I/O functions', { fixtures: ['10-'] });
