// The clock and timers a hook request runs on: the real ones in the hook, a manual clock in tests
// (test/support/manual-timers.ts), so that the deadline and duration tests assert values, not elapsed time.

export interface Timers {
  /** Monotonic milliseconds, as performance.now(). */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout | undefined),
};
