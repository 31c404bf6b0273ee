// Parity for procedural languages created with CREATE LANGUAGE, and for
// privileges changed on extension members (fixture 60).
import { describeParityTheme } from './parity-theme.js';

describeParityTheme('languages and extension member grants', { fixtures: ['60-'] });
