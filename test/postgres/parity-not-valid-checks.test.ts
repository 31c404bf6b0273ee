// Parity: NOT VALID checks on inheritance parents (fixtures/postgres/parity/15-not-valid-inherited-check.sql).
import { describeParity } from './parity-suite.js';

describeParity('NOT VALID checks on inheritance parents', ['15-not-valid-inherited-check.sql']);
