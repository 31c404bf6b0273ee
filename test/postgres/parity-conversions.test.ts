// Parity for conversions, transforms and shell types (fixture 23).
import { describe } from 'vitest';
import { parityTheme } from './parity-theme.js';

describe('parity: conversions, transforms and shell types', () => {
  parityTheme('conversions', ['23-conversions']);
});
