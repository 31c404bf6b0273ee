// `stowage follow` as a process of its own (through tsx, from the sources), so
// a test can kill it with SIGKILL as a crash would, or stop it with SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import type { FollowEvent } from '../../src/ops/follow.js';

/** `stowage follow` as a process of its own, so it can be killed with SIGKILL. */
export class FollowProcess {
  readonly events: FollowEvent[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private stderr = '';

  constructor(url: string, repo: string, extraArgs: string[] = []) {
    this.child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/bin.ts',
        'follow',
        url,
        '--to',
        repo,
        '--segment-seconds',
        '1',
        '--json',
        ...extraArgs,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let pending = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line.trim()) this.events.push(JSON.parse(line) as FollowEvent);
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exit = `exited (${code ?? signal})`;
        resolve(code);
      }),
    );
  }

  private exit = 'running';

  segments(): number {
    return this.events.filter((e) => e.type === 'segment').length;
  }

  log(): string {
    return this.stderr.slice(-3000);
  }

  /** For a timeout's message: whether it runs, its last events and its stderr, as they are now. */
  describe(): string {
    const events = this.events.slice(-5).map((e) => JSON.stringify(e));
    return `follow ${this.exit}; last events: ${events.join(' ') || 'none'}; stderr: ${this.log() || 'empty'}`;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}
