// Parity: table and index access methods (fixtures/postgres/parity/13-access-methods.sql).
import { describeParity } from './parity-suite.js';

describeParity('table and index access methods', ['13-access-methods.sql']);
