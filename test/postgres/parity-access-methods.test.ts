// Parity: table and index access methods (fixtures/postgres/parity/13-access-methods*.sql).
import { describeParityTheme } from './parity-theme.js';

describeParityTheme('table and index access methods', { fixtures: ['13-access-methods'] });
