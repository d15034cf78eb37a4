// Keras's ModelCheckpoint callback: saves the model at the end of each epoch — every epoch, or
// with saveBestOnly only when the monitored log beats the best so far (initialValueThreshold, when
// given, is the best to beat at first; the best carries over from one fit to the next, as in
// Keras, so a later fit never overwrites a better model). The destination is anything model.save
// takes (a Node directory, indexeddb://name in browsers) and may hold placeholders, as Keras's
// filepath does: {epoch} (counted from 1), any log such as {val_loss}, and the formats {epoch:03d}
// and {val_loss:.4f}; Keras's {val_accuracy} names val_acc (log-names.ts).
import { ConfigError } from '../errors.js';
import { shownValue } from '../shown-value.js';
import type { EpochEndLogs, Logs } from './callbacks.js';
import { loggedName } from './log-names.js';
import { type MonitorMode, MonitorCallback } from './monitor.js';
import { checkBoolean, checkNumber } from './settings.js';

export interface ModelCheckpointOptions {
  /** The log saveBestOnly follows. Default 'val_loss'. */
  monitor?: string;
  /** Save only when the monitor improves on the best so far. Default false: every epoch. */
  saveBestOnly?: boolean;
  /** 'min', 'max', or 'auto' (min for a loss, max for a metric). Default 'auto'. */
  mode?: MonitorMode;
  /** With saveBestOnly: the value the first saved epoch must beat. */
  initialValueThreshold?: number;
}

const MODEL_CHECKPOINT_OPTIONS = {
  monitor: true, saveBestOnly: true, mode: true, initialValueThreshold: true,
} satisfies Record<keyof ModelCheckpointOptions, true>;

/** {name} or {name:spec}; spec 0Nd (an integer, zero-padded to N) or .Nf (N decimals). */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;
const SPEC = /^(?:0(\d+)d|\.(\d+)f)$/;

export class ModelCheckpoint extends MonitorCallback {
  readonly saveBestOnly: boolean;
  /** The best monitored value saved so far. */
  best: number;

  constructor(readonly destination: string, options: ModelCheckpointOptions = {}) {
    const who = 'modelCheckpoint';
    super(who, options, Object.keys(MODEL_CHECKPOINT_OPTIONS));
    if (typeof destination !== 'string' || destination === '') {
      throw new ConfigError(`${who}: expected a destination (a directory, or indexeddb://name), got ${shownValue(destination)}`);
    }
    for (const [, name, spec] of destination.matchAll(PLACEHOLDER)) {
      if (spec !== undefined && !SPEC.test(spec)) {
        throw new ConfigError(`${who}: cannot format {${name}:${spec}} in ${shownValue(destination)}; formats are 0Nd (e.g. {epoch:03d}) and .Nf (e.g. {val_loss:.4f})`);
      }
    }
    this.saveBestOnly = checkBoolean(who, 'saveBestOnly', options.saveBestOnly ?? false);
    this.best = options.initialValueThreshold === undefined ? this.worst
      : checkNumber(who, 'initialValueThreshold', options.initialValueThreshold, 'finite');
  }

  onTrainBegin(): void {
    if (this.saveBestOnly) this.checkMonitor();
    const logs = this.params?.metrics ?? [];
    for (const [placeholder, name] of this.destination.matchAll(PLACEHOLDER)) {
      if (name !== 'epoch' && !logs.includes(loggedName(name))) {
        throw new ConfigError(`${this.who}: ${placeholder} in ${shownValue(this.destination)} names no log of this run; it logs epoch, ${logs.join(', ')}`);
      }
    }
  }

  async onEpochEnd(epoch: number, logs: EpochEndLogs): Promise<void> {
    // An epoch that trained nothing has no logs to name the file by, and no new weights to keep.
    if (logs.loss === undefined) return;
    if (this.saveBestOnly) {
      const current = logs[this.logged] as number;
      if (!this.isImprovement(current, this.best)) return;
      this.best = current;
    }
    await this.model!.save(this.path(epoch, logs));
  }

  /** The destination with its placeholders filled in for this epoch. */
  path(epoch: number, logs: Logs): string {
    return this.destination.replace(PLACEHOLDER, (_, name: string, spec?: string) => {
      const value = name === 'epoch' ? epoch + 1 : (logs[loggedName(name)] as number);
      const [, width, decimals] = spec ? SPEC.exec(spec)! : [];
      if (decimals !== undefined) return value.toFixed(Number(decimals));
      return width !== undefined ? String(Math.round(value)).padStart(Number(width), '0') : String(value);
    });
  }
}
