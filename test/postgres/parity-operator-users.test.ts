// Parity: user-defined operators used by policies, defaults, CHECK constraints, index expressions,
// views and generated columns, and an operator over a table's row type used by that table's CHECK
// (a cycle cycles.ts breaks). Operators themselves are another branch's object kind (issue 10):
// this theme runs once the engine backs them up, and is skipped until then.
import { OBJECT_KINDS } from '../../src/engines/postgres/model.js';
import { describeParity } from './parity-suite.js';

const operatorsBackedUp = (OBJECT_KINDS as readonly string[]).includes('operator');
describeParity('operator users', ['16-operator-users.sql'], {}, !operatorsBackedUp);
