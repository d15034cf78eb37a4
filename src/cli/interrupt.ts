// Ctrl-C (SIGINT) or SIGTERM while `convas train` runs: the first asks the run to stop after the
// batch it is on (a checkpoint being saved is finished first); a second ends the process at once,
// which is safe too, as a checkpoint is saved atomically.
import { constants } from 'node:os';

export interface Interrupts {
  /** The signal that asked the run to stop, if one did. */
  readonly signal: NodeJS.Signals | undefined;
  /** The exit code for it: 128 + the signal's number, as a shell reports a process it ended. */
  readonly exitCode: number;
  dispose(): void;
}

/** Watches for SIGINT and SIGTERM, saying at the first that the run stops after this batch. */
export function watchInterrupts(): Interrupts {
  let signal: NodeJS.Signals | undefined;
  const exitCode = (s: NodeJS.Signals) => 128 + constants.signals[s];
  const handler = (received: NodeJS.Signals) => {
    if (signal) process.exit(exitCode(received));
    signal = received;
    process.stderr.write('\nconvas: stopping after this batch (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    get signal() {
      return signal;
    },
    get exitCode() {
      return signal ? exitCode(signal) : 0;
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
