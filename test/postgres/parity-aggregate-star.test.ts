// Parity: zero-argument aggregates (fixtures/postgres/parity/11-aggregate-star.sql).
import { describeParity } from './parity-suite.js';

describeParity('zero-argument aggregates', ['11-aggregate-star.sql']);
