// Parity: dependency cycles through row types and domains (fixtures/postgres/parity/14-dependency-cycles.sql).
import { describeParity } from './parity-suite.js';

describeParity('dependency cycles through row types and domains', ['14-dependency-cycles.sql']);
