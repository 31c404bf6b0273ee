// Parity for operators, operator families and operator classes (fixture 20).
import { describe } from 'vitest';
import { parityTheme } from './parity-theme.js';

describe('parity: operators, operator families and classes', () => {
  parityTheme('operators', ['20-operators']);
});
