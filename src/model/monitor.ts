// What early stopping and checkpoints share (Keras's MonitorCallback): the log they follow, whether
// it should rise or fall, and what counts as an improvement. 'auto' lowers the losses and raises
// every metric convas has (the accuracies, precision and recall), as Keras infers from each
// metric's direction; TF.js guesses from the name (up when it holds 'acc'). Keras's 'accuracy' and
// 'val_accuracy' name the logs convas (as TF.js) calls 'acc' and 'val_acc' (log-names.ts).
import { ConfigError } from '../errors.js';
import { shownValue } from '../shown-value.js';
import { Callback } from './callbacks.js';
import { loggedName } from './log-names.js';
import { isScalarMetric } from './metric-set.js';
import { checkChoice, checkNumber, checkOptions } from './settings.js';

export type MonitorMode = 'auto' | 'min' | 'max';

export abstract class MonitorCallback extends Callback {
  readonly monitor: string;
  readonly mode: MonitorMode;
  /** The least change that counts, ≥ 0 (Keras takes |minDelta|). */
  readonly minDelta: number;

  /** `settings`: every option name the callback takes, so that a misspelt one is refused rather than ignored. */
  constructor(protected readonly who: string, options: { monitor?: string; mode?: MonitorMode; minDelta?: number }, settings: readonly string[]) {
    super();
    checkOptions(who, options, settings);
    const monitor = options.monitor ?? 'val_loss';
    if (typeof monitor !== 'string' || monitor === '') throw new ConfigError(`${who}: monitor must be the name of a log, got ${shownValue(monitor)}`);
    this.monitor = monitor;
    this.mode = checkChoice(who, 'mode', options.mode ?? 'auto', ['auto', 'min', 'max'] as const);
    this.minDelta = Math.abs(checkNumber(who, 'minDelta', options.minDelta ?? 0, 'finite'));
  }

  /** The monitored log's name in the logs (TF.js's, for Keras's accuracy names). */
  protected get logged(): string {
    return loggedName(this.monitor);
  }

  /** Whether the monitored log should rise: mode 'max', or 'auto' on anything but a loss. */
  get maximizes(): boolean {
    return this.mode === 'max' || (this.mode === 'auto' && this.monitor.replace(/^val_/, '') !== 'loss');
  }

  /** The worst value there is, for a best that nothing has set yet. */
  protected get worst(): number {
    return this.maximizes ? -Infinity : Infinity;
  }

  /** Keras's test: better than `reference` by more than minDelta. */
  protected isImprovement(current: number, reference: number): boolean {
    return this.maximizes ? current - this.minDelta > reference : current + this.minDelta < reference;
  }

  /** Refuses, before training starts, a monitor that the run's logs will not carry (a typo, or val_ without validation). */
  protected checkMonitor(): void {
    const logs = this.params?.metrics ?? [];
    if (!logs.includes(this.logged)) {
      const hint = this.monitor.startsWith('val_') && !this.params?.doValidation ? ' (val_ logs need validationData or validationSplit)' : '';
      throw new ConfigError(`${this.who}: unknown monitor ${shownValue(this.monitor)}${hint}; this run logs ${logs.join(', ')}`);
    }
    if (!isScalarMetric(this.monitor.replace(/^val_/, ''))) {
      throw new ConfigError(`${this.who}: monitor ${this.monitor} holds a value per class, not one number; monitor a loss or an accuracy`);
    }
  }
}
