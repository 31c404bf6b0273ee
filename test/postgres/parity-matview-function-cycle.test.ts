// Parity: materialized views and functions in a dependency cycle through a
// primary key, which pg_dump breaks by creating them after the key
// (fixtures/postgres/parity/19-matview-function-cycle.sql).
import { describeParityTheme } from './parity-theme.js';

describeParityTheme('materialized views and functions depending on a primary key', {
  fixtures: ['19-matview-function-cycle'],
});
