// A clock whose time moves only when the test says so, for code that takes its timers as a dependency
// (src/http/timers.ts: the request deadline and the reconcile durations; the fault proxy's held
// answers). The tests then assert what happens at which instant, not how long something took.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Timers } from '../../src/http/timers.js';

interface Pending {
  id: number;
  at: number;
  ms: number;
  callback: () => void;
}

export class ManualTimers implements Timers {
  /** The current instant, in ms since the clock was made. */
  private time = 0;
  private seq = 0;
  private readonly timers = new Map<number, Pending>();
  /** The delay of every timer set so far, in the order they were set. */
  readonly set: number[] = [];
  /** The delay of every timer that fired, in the order they fired. */
  readonly fired: number[] = [];

  now = (): number => this.time;

  setTimeout = (callback: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.timers.set(id, { id, at: this.time + ms, ms, callback });
    this.set.push(ms);
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  /** The delays of the timers still pending, soonest first. */
  pending(): number[] {
    return this.ordered().map((p) => p.ms);
  }

  /** Moves the clock `ms` forward, firing every timer due by then, soonest first (a timer set by one that fires is seen too). */
  advance(ms: number): void {
    const until = this.time + ms;
    for (let due = this.ordered()[0]; due !== undefined && due.at <= until; due = this.ordered()[0]) {
      this.time = due.at;
      this.timers.delete(due.id);
      this.fired.push(due.ms);
      due.callback();
    }
    this.time = until;
  }

  private ordered(): Pending[] {
    return [...this.timers.values()].sort((a, b) => a.at - b.at || a.id - b.id);
  }
}

/**
 * Waits until `condition()` holds, letting I/O and promises run between looks. It bounds only how long
 * the test may wait (`giveUpMs` of real time), then fails naming what it waited for.
 */
export async function until(condition: () => boolean, what: string, giveUpMs = 10_000): Promise<void> {
  const giveUpAt = Date.now() + giveUpMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for ${what}`);
    await nextTurn();
  }
}

/** Lets pending I/O callbacks and promises run for a few turns of the event loop (to show that nothing happens). */
export async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await nextTurn();
}
