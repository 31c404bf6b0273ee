// Parity: inherited generated columns with a child’s own expression (fixtures/postgres/parity/12-inherited-generated.sql).
import { describeParity } from './parity-suite.js';

describeParity('inherited generated columns with a child’s own expression', ['12-inherited-generated.sql']);
