// Keras's EarlyStopping callback (keras/src/callbacks/early_stopping.py), computed as Keras does:
// an epoch improves when its value beats the best by more than minDelta (in the monitor's
// direction); `wait` counts the monitored epochs since the last improvement that also beat the
// baseline, and training stops once wait ≥ patience (never at epoch 0). Epochs before
// startFromEpoch are not monitored. With restoreBestWeights, the weights of the best epoch (the
// first monitored one until another improves on it) are put back when training ends, whether it
// stopped early or ran out of epochs (Keras 3; Keras 2 restored only on an early stop; TF.js has
// no restoreBestWeights). TF.js starts its best at the baseline and may stop at epoch 0, so the
// two differ only with a baseline, or when epoch 0 does not improve on an infinite best (a NaN).
import type { Tensor } from '../tensor.js';
import type { EpochEndLogs } from './callbacks.js';
import { type MonitorMode, MonitorCallback } from './monitor.js';
import { checkBoolean, checkCount, checkNumber } from './settings.js';

export interface EarlyStoppingOptions {
  /** The log to follow. Default 'val_loss'. */
  monitor?: string;
  /** The least change that counts as an improvement (its absolute value). Default 0. */
  minDelta?: number;
  /** Epochs without improvement before training stops. Default 0. */
  patience?: number;
  /** 'min', 'max', or 'auto' (min for a loss, max for a metric). Default 'auto'. */
  mode?: MonitorMode;
  /** A value the monitor must beat: until it does, waiting goes on counting. */
  baseline?: number;
  /** Put back the weights of the best epoch when training ends. Default false. */
  restoreBestWeights?: boolean;
  /** Epochs (counted from 0, as the logs number them) to train before monitoring starts. Default 0. */
  startFromEpoch?: number;
}

const EARLY_STOPPING_OPTIONS = {
  monitor: true, minDelta: true, patience: true, mode: true, baseline: true, restoreBestWeights: true, startFromEpoch: true,
} satisfies Record<keyof EarlyStoppingOptions, true>;

export class EarlyStopping extends MonitorCallback {
  readonly patience: number;
  readonly baseline?: number;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  /** The epoch training stopped at (0 if it did not stop early). */
  stoppedEpoch = 0;
  /** The best monitored value so far, and its epoch. */
  best = Infinity;
  bestEpoch = 0;
  private wait = 0;
  private bestWeights?: Tensor[];

  constructor(options: EarlyStoppingOptions = {}) {
    const who = 'earlyStopping';
    super(who, options, Object.keys(EARLY_STOPPING_OPTIONS));
    this.patience = checkCount(who, 'patience', options.patience ?? 0);
    this.baseline = options.baseline === undefined ? undefined : checkNumber(who, 'baseline', options.baseline, 'finite');
    this.restoreBestWeights = checkBoolean(who, 'restoreBestWeights', options.restoreBestWeights ?? false);
    this.startFromEpoch = checkCount(who, 'startFromEpoch', options.startFromEpoch ?? 0);
  }

  onTrainBegin(): void {
    this.checkMonitor();
    // Everything starts afresh, so one callback serves several fits.
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.worst;
    this.bestEpoch = 0;
    this.keepBestWeights(undefined);
  }

  onEpochEnd(epoch: number, logs: EpochEndLogs): void {
    const current = logs[this.logged] as number | undefined;
    // No value: an epoch that trained nothing (the monitor itself was checked at onTrainBegin), which Keras skips too.
    if (current === undefined || epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && !this.bestWeights) {
      this.keepBestWeights(this.model!.getWeights());
      this.bestEpoch = epoch;
    }
    this.wait++;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.keepBestWeights(this.model!.getWeights());
      // Waiting starts again only when the epoch beat the baseline too.
      if (this.baseline === undefined || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (!this.bestWeights) return;
    this.model!.setWeights(this.bestWeights);
    this.keepBestWeights(undefined);
  }

  private keepBestWeights(weights: Tensor[] | undefined): void {
    this.bestWeights?.forEach((w) => w.dispose());
    this.bestWeights = weights;
  }
}
