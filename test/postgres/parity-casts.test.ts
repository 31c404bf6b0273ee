// Parity for casts (fixture 21).
import { describe } from 'vitest';
import { parityTheme } from './parity-theme.js';

describe('parity: casts', () => {
  parityTheme('casts', ['21-casts']);
});
