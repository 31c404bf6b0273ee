// Parity: a view calling a function over its own row type (fixtures/postgres/parity/18-view-function-cycle.sql).
import { describeParity } from './parity-suite.js';

describeParity('a view calling a function over its own row type', ['18-view-function-cycle.sql']);
