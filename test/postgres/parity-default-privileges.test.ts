// ALTER DEFAULT PRIVILEGES, global and per schema: restored after every
// object, so they neither go missing nor add grants to restored objects.
import { describeParityTheme } from './parity-theme.js';

describeParityTheme('default privileges', {
  fixtures: ['34-'],
  run: { restore: { owner: true } },
});
