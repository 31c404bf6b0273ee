import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultCodecThreads } from '../../src/archive/codec-pool.js';

describe('defaultCodecThreads', () => {
  const cores = availableParallelism();

  it('cheap levels leave the main thread a core, and local server jobs theirs', () => {
    expect(defaultCodecThreads(1)).toBe(Math.max(0, Math.min(cores - 1, 8)));
    expect(defaultCodecThreads('none')).toBe(defaultCodecThreads(3));
    expect(defaultCodecThreads(1, 2)).toBe(Math.max(0, Math.min(cores - 3, 8)));
    // A server with as many busy backends as there are cores: compress inline.
    expect(defaultCodecThreads(1, cores)).toBe(0);
  });

  it('heavy levels use every core, at least one, at most 8', () => {
    expect(defaultCodecThreads(6)).toBe(Math.max(1, Math.min(cores, 8)));
    expect(defaultCodecThreads(19, cores)).toBe(defaultCodecThreads(19));
  });
});
