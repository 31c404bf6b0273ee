// Publications (all tables, table lists with column lists and row filters,
// whole schemas) and subscriptions (recreated without connecting, like pg_dump).
import { describeParityTheme } from './parity-theme.js';

describeParityTheme('publications and subscriptions', {
  fixtures: ['31-', '32-'],
  run: { restore: { owner: true } },
});
