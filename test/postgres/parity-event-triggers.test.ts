// Event triggers, restored last: one of them refuses CREATE FOREIGN TABLE,
// which the foreign-data fixture's restore runs earlier.
import { describeParityTheme } from './parity-theme.js';

describeParityTheme('event triggers', {
  fixtures: ['30-', '33-'],
  run: { restore: { owner: true } },
});
