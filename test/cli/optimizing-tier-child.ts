/**
 * Child process of optimizing-tier.unit.test.ts (run with `--allow-natives-syntax`): calls
 * keepToMaglevFor with the command in argv[2], runs a small function hot until V8 has optimised it
 * (or for at most 3 s of this process's CPU time, so that a loaded machine gives it the same chance;
 * 40 s of wall time at most), then prints `turbofan` or `maglev` for the tier it reached, and whether
 * keepToMaglevFor said it turned Turbofan off.
 */
import { keepToMaglevFor } from '../../src/cli/optimizing-tier.js';

const turnedOff = keepToMaglevFor(process.argv[2] ?? '');
// V8's test intrinsic, which only a function body parsed under --allow-natives-syntax can name.
const status = new Function('f', 'return %GetOptimizationStatus(f)') as (f: unknown) => number;
/** OptimizationStatus bits in V8 (src/runtime/runtime.h). */
const MAGLEVVED = 1 << 5;
const TURBOFANNED = 1 << 6;

function sum(values: Float64Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]! * 2;
  return total;
}

const values = new Float64Array(1000).fill(1);
const wallLimit = Date.now() + 40_000;
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
let tier = 'none';
while (cpuMs() < 3000 && Date.now() < wallLimit) {
  for (let i = 0; i < 1000; i++) sum(values);
  const bits = status(sum);
  if (bits & TURBOFANNED) {
    tier = 'turbofan';
    break;
  }
  if (bits & MAGLEVVED) tier = 'maglev';
}
process.stdout.write(`${tier} ${turnedOff}\n`);
