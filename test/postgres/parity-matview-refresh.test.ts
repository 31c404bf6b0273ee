// Parity: materialized views refreshed through plain views (fixtures/postgres/parity/17-matview-through-view.sql).
import { describeParity } from './parity-suite.js';

describeParity('materialized views refreshed through plain views', ['17-matview-through-view.sql']);
