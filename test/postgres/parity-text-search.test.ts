// Parity for text search parsers, templates, dictionaries and configurations (fixture 22).
import { describe } from 'vitest';
import { parityTheme } from './parity-theme.js';

describe('parity: text search parsers, templates, dictionaries and configurations', () => {
  parityTheme('text_search', ['22-text-search']);
});
