// Parity: materialized views refreshed through plain views (fixtures/postgres/parity/17-matview-through-view*.sql).
import { describeParityTheme } from './parity-theme.js';

describeParityTheme('materialized views refreshed through plain views', {
  fixtures: ['17-matview-through-view'],
});
