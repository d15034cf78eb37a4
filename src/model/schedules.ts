// Learning-rate schedules, as Keras's LearningRateSchedule: a rate for each optimizer step, the
// steps counted per batch from 0 (Keras's optimizer.iterations), so the first update uses at(0).
// Pass one as an optimizer's learningRate. The formulas are Keras's, in f64 with exactly rounded
// arithmetic; cos and pow come from the wasm module (JavaScript's Math may differ between engines
// in the last bit), so a step's rate, and the f32 the kernel gets, are the same bits everywhere.
//
// A schedule is its className and config (own properties: JSON and structured clone keep them,
// and scheduleFromConfig rebuilds it). The step a schedule is at is the optimizer's step count,
// saved with the model; reduceLROnPlateau also keeps state of its own (state below).
import { getBackend } from '../backend/wasm.js';
import { ConfigError } from '../errors.js';
import { shownValue } from '../shown-value.js';
import { checkBoolean, checkChoice, checkCount, checkKeys, checkNumber } from './settings.js';

export interface ScheduleConfig {
  className: string;
  config: Record<string, unknown>;
}

/** What reduceLROnPlateau keeps between epochs; best is null before the first epoch. */
export interface PlateauState {
  learningRate: number;
  best: number | null;
  wait: number;
  cooldownCounter: number;
}

export abstract class LearningRateSchedule<C extends object = object> {
  constructor(readonly className: string, readonly config: C) {}

  /** The rate of the step-th update, 0 for the first. */
  abstract at(step: number): number;

  /** The log a schedule follows at the end of each epoch ('val_loss', …), if any. */
  get monitor(): string | undefined {
    return undefined;
  }

  /** Called by fit at the end of each epoch with the monitored log's value. */
  epochEnd(_value: number): void {}

  /** State beyond the step count, for saving; undefined when there is none. */
  get state(): PlateauState | undefined {
    return undefined;
  }

  set state(_state: PlateauState | undefined) {}

  toJSON(): ScheduleConfig {
    return { className: this.className, config: this.config as Record<string, unknown> };
  }
}

const math = () => getBackend().kernels;

// --- decays (Keras: keras.optimizers.schedules)

export interface ExponentialDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay at whole multiples of decaySteps only (a staircase). Default false. */
  staircase?: boolean;
}

/** initialLearningRate · decayRate^(step / decaySteps), the exponent floored when staircase. */
class ExponentialDecay extends LearningRateSchedule<Required<ExponentialDecayOptions>> {
  constructor(options: ExponentialDecayOptions) {
    const who = 'exponentialDecay';
    checkKeys(who, options, ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase']);
    super('ExponentialDecay', {
      initialLearningRate: checkNumber(who, 'initialLearningRate', options.initialLearningRate, 'non-negative'),
      decaySteps: checkNumber(who, 'decaySteps', options.decaySteps, 'positive'),
      decayRate: checkNumber(who, 'decayRate', options.decayRate, 'positive'),
      staircase: checkBoolean(who, 'staircase', options.staircase ?? false),
    });
  }

  at(step: number): number {
    const { initialLearningRate, decaySteps, decayRate, staircase } = this.config;
    const p = step / decaySteps;
    return initialLearningRate * math().mathPow(decayRate, staircase ? Math.floor(p) : p);
  }
}

export interface PiecewiseConstantDecayOptions {
  /** Steps, strictly increasing. */
  boundaries: number[];
  /** One more than boundaries: values[0] up to step boundaries[0] (inclusive), …, the last after the last boundary. */
  values: number[];
}

class PiecewiseConstantDecay extends LearningRateSchedule<PiecewiseConstantDecayOptions> {
  constructor(options: PiecewiseConstantDecayOptions) {
    const who = 'piecewiseConstantDecay';
    checkKeys(who, options, ['boundaries', 'values']);
    const { boundaries, values } = options;
    if (!Array.isArray(boundaries) || !Array.isArray(values) || values.length !== boundaries.length + 1) {
      throw new ConfigError(`${who}: expected an array of boundaries and one more value than boundaries, got ` +
        `${shownValue(boundaries)} and ${shownValue(values)}`);
    }
    boundaries.forEach((b, i) => {
      checkNumber(who, `boundaries[${i}]`, b, 'non-negative');
      if (i > 0 && b <= boundaries[i - 1]) throw new ConfigError(`${who}: boundaries must increase, got ${shownValue(boundaries)}`);
    });
    values.forEach((v, i) => checkNumber(who, `values[${i}]`, v, 'non-negative'));
    super('PiecewiseConstantDecay', { boundaries: [...boundaries], values: [...values] });
  }

  at(step: number): number {
    const { boundaries, values } = this.config;
    let i = 0;
    while (i < boundaries.length && step > boundaries[i]) i++;
    return values[i];
  }
}

export interface CosineDecayOptions {
  initialLearningRate: number;
  decaySteps: number;
  /** The rate at the end, as a fraction of where the decay starts. Default 0. */
  alpha?: number;
  /** Keras's built-in warm-up: from initialLearningRate up to warmupTarget over warmupSteps, then the decay from warmupTarget. */
  warmupTarget?: number;
  warmupSteps?: number;
}

/** Keras's decay: rate · ((1 − α)·½(1 + cos(π·min(step, decaySteps)/decaySteps)) + α). */
function cosineDecayed(rate: number, step: number, decaySteps: number, alpha: number): number {
  const completed = Math.min(step, decaySteps) / decaySteps;
  const cosine = 0.5 * (1 + math().mathCos(Math.PI * completed));
  return rate * ((1 - alpha) * cosine + alpha);
}

/** Keras's warm-up: a line from `from` at step 0 to `to` at warmupSteps. */
const warmedUp = (from: number, to: number, step: number, warmupSteps: number) => (to - from) * (step / warmupSteps) + from;

class CosineDecay extends LearningRateSchedule<CosineDecayOptions & { alpha: number; warmupSteps: number }> {
  constructor(options: CosineDecayOptions) {
    const who = 'cosineDecay';
    checkKeys(who, options, ['initialLearningRate', 'decaySteps', 'alpha', 'warmupTarget', 'warmupSteps']);
    const warmupTarget = options.warmupTarget ?? undefined;
    super('CosineDecay', {
      initialLearningRate: checkNumber(who, 'initialLearningRate', options.initialLearningRate, 'non-negative'),
      decaySteps: checkNumber(who, 'decaySteps', options.decaySteps, 'positive'),
      alpha: checkNumber(who, 'alpha', options.alpha ?? 0, 'unit'),
      ...(warmupTarget === undefined ? {} : { warmupTarget: checkNumber(who, 'warmupTarget', warmupTarget, 'non-negative') }),
      warmupSteps: checkNumber(who, 'warmupSteps', options.warmupSteps ?? 0, 'non-negative'),
    });
  }

  at(step: number): number {
    const { initialLearningRate, decaySteps, alpha, warmupTarget, warmupSteps } = this.config;
    if (warmupTarget === undefined) return cosineDecayed(initialLearningRate, step, decaySteps, alpha);
    const s = Math.min(step, decaySteps + warmupSteps);
    return s < warmupSteps ? warmedUp(initialLearningRate, warmupTarget, s, warmupSteps)
      : cosineDecayed(warmupTarget, s - warmupSteps, decaySteps, alpha);
  }
}

export interface CosineDecayRestartsOptions {
  initialLearningRate: number;
  /** Steps of the first period. */
  firstDecaySteps: number;
  /** Each period is tMul times as long as the one before (≥ 1). Default 2. */
  tMul?: number;
  /** Each period starts at mMul times the rate the one before started at. Default 1. */
  mMul?: number;
  alpha?: number;
}

/**
 * SGDR (Loshchilov & Hutter): cosine decays over periods of firstDecaySteps·tMul^i steps, the i-th
 * from initialLearningRate·mMul^i. Keras finds the period with a logarithm; here the periods are
 * added up step by step, so a restart falls exactly on the step where a period ends.
 */
class CosineDecayRestarts extends LearningRateSchedule<Required<CosineDecayRestartsOptions>> {
  constructor(options: CosineDecayRestartsOptions) {
    const who = 'cosineDecayRestarts';
    checkKeys(who, options, ['initialLearningRate', 'firstDecaySteps', 'tMul', 'mMul', 'alpha']);
    super('CosineDecayRestarts', {
      initialLearningRate: checkNumber(who, 'initialLearningRate', options.initialLearningRate, 'non-negative'),
      firstDecaySteps: checkNumber(who, 'firstDecaySteps', options.firstDecaySteps, 'positive'),
      tMul: checkNumber(who, 'tMul', options.tMul ?? 2, 'at least one'),
      mMul: checkNumber(who, 'mMul', options.mMul ?? 1, 'non-negative'),
      alpha: checkNumber(who, 'alpha', options.alpha ?? 0, 'unit'),
    });
  }

  at(step: number): number {
    const { initialLearningRate, firstDecaySteps, tMul, mMul, alpha } = this.config;
    let restarts = 0, start = 0, period = firstDecaySteps;
    if (tMul === 1) {
      restarts = Math.floor(step / period);
      start = restarts * period;
    } else {
      for (; step >= start + period; restarts++) {
        start += period;
        period *= tMul;
      }
    }
    const completed = (step - start) / period;
    const cosine = 0.5 * math().mathPow(mMul, restarts) * (1 + math().mathCos(Math.PI * completed));
    return initialLearningRate * ((1 - alpha) * cosine + alpha);
  }
}

// --- warm-up in front of any schedule

export interface LinearWarmupOptions {
  warmupSteps: number;
  /** The rate at step 0. Default 0. */
  initialLearningRate?: number;
  /** What follows: a rate, or a schedule that starts (at its step 0) when the warm-up ends. */
  schedule: number | LearningRateSchedule | ScheduleConfig;
}

/**
 * A line from initialLearningRate up to where `schedule` starts, over warmupSteps, then the
 * schedule, its steps counted from the end of the warm-up (as Keras's CosineDecay with warmupTarget).
 */
class LinearWarmup extends LearningRateSchedule<{ warmupSteps: number; initialLearningRate: number; schedule: number | LearningRateSchedule }> {
  constructor(options: LinearWarmupOptions) {
    const who = 'linearWarmup';
    checkKeys(who, options, ['warmupSteps', 'initialLearningRate', 'schedule']);
    const after = options.schedule;
    super('LinearWarmup', {
      warmupSteps: checkNumber(who, 'warmupSteps', options.warmupSteps, 'positive'),
      initialLearningRate: checkNumber(who, 'initialLearningRate', options.initialLearningRate ?? 0, 'non-negative'),
      schedule: typeof after === 'number' ? checkNumber(who, 'schedule', after, 'positive') : scheduleFromConfig(after, `${who}: schedule`),
    });
  }

  private after(step: number): number {
    const { schedule } = this.config;
    return typeof schedule === 'number' ? schedule : schedule.at(step);
  }

  at(step: number): number {
    const { warmupSteps, initialLearningRate } = this.config;
    return step < warmupSteps ? warmedUp(initialLearningRate, this.after(0), step, warmupSteps) : this.after(step - warmupSteps);
  }

  private get inner(): LearningRateSchedule | undefined {
    return typeof this.config.schedule === 'number' ? undefined : this.config.schedule;
  }

  get monitor(): string | undefined {
    return this.inner?.monitor;
  }

  epochEnd(value: number): void {
    this.inner?.epochEnd(value);
  }

  get state(): PlateauState | undefined {
    return this.inner?.state;
  }

  set state(state: PlateauState | undefined) {
    if (this.inner) this.inner.state = state;
  }
}

// --- reduce on plateau

// Keras's 'val_accuracy' and 'accuracy' are the logs convas names 'val_acc' and 'acc' (log-names.ts).
const MONITORS = ['val_loss', 'val_acc', 'loss', 'acc', 'val_accuracy', 'accuracy'] as const;

export interface ReduceLROnPlateauOptions {
  initialLearningRate: number;
  /** The log to follow: 'val_loss' (default), 'val_acc', 'loss' or 'acc' (or Keras's 'val_accuracy', 'accuracy'). */
  monitor?: (typeof MONITORS)[number];
  /** The rate is multiplied by factor (in (0, 1)) when the log stops improving. Default 0.1. */
  factor?: number;
  /** Epochs without improvement before the rate drops. Default 10. */
  patience?: number;
  /** 'min', 'max', or 'auto' (max for an accuracy, min otherwise). */
  mode?: 'auto' | 'min' | 'max';
  /** The least change that counts as an improvement. Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a drop before counting again. Default 0. */
  cooldown?: number;
  /** The rate never drops below this. Default 0. */
  minLr?: number;
}

/**
 * Keras's ReduceLROnPlateau callback, as a schedule that fit consults at the end of each epoch
 * with the monitored log (the only hook it needs; a callbacks system can call epochEnd the same
 * way). The rate holds between epochs; like Keras's optimizer variable it is an f32.
 */
class ReduceLROnPlateau extends LearningRateSchedule<Required<ReduceLROnPlateauOptions>> {
  private rate: number;
  private best: number;
  private wait = 0;
  private cooldownCounter = 0;

  constructor(options: ReduceLROnPlateauOptions) {
    const who = 'reduceLROnPlateau';
    checkKeys(who, options, ['initialLearningRate', 'monitor', 'factor', 'patience', 'mode', 'minDelta', 'cooldown', 'minLr']);
    const factor = checkNumber(who, 'factor', options.factor ?? 0.1, 'open fraction');
    super('ReduceLROnPlateau', {
      initialLearningRate: checkNumber(who, 'initialLearningRate', options.initialLearningRate, 'positive'),
      monitor: checkChoice(who, 'monitor', options.monitor ?? 'val_loss', MONITORS),
      factor,
      patience: checkCount(who, 'patience', options.patience ?? 10),
      mode: checkChoice(who, 'mode', options.mode ?? 'auto', ['auto', 'min', 'max'] as const),
      minDelta: checkNumber(who, 'minDelta', options.minDelta ?? 1e-4, 'non-negative'),
      cooldown: checkCount(who, 'cooldown', options.cooldown ?? 0),
      minLr: checkNumber(who, 'minLr', options.minLr ?? 0, 'non-negative'),
    });
    this.rate = Math.fround(this.config.initialLearningRate);
    this.best = this.maximizes ? -Infinity : Infinity;
  }

  private get maximizes(): boolean {
    const { mode, monitor } = this.config;
    return mode === 'max' || (mode === 'auto' && monitor.includes('acc'));
  }

  at(): number {
    return this.rate;
  }

  get monitor(): string {
    return this.config.monitor;
  }

  epochEnd(value: number): void {
    const { minDelta, patience, factor, minLr, cooldown } = this.config;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    const improved = this.maximizes ? value > this.best + minDelta : value < this.best - minDelta;
    if (improved) {
      this.best = value;
      this.wait = 0;
    } else if (this.cooldownCounter === 0 && ++this.wait >= patience && this.rate > Math.fround(minLr)) {
      this.rate = Math.fround(Math.max(this.rate * factor, minLr));
      this.cooldownCounter = cooldown;
      this.wait = 0;
    }
  }

  get state(): PlateauState {
    return { learningRate: this.rate, best: Number.isFinite(this.best) ? this.best : null, wait: this.wait, cooldownCounter: this.cooldownCounter };
  }

  set state(state: PlateauState | undefined) {
    const who = 'reduceLROnPlateau state';
    if (!state || typeof state !== 'object') throw new ConfigError(`${who}: expected { learningRate, best, wait, cooldownCounter }`);
    this.rate = Math.fround(checkNumber(who, 'learningRate', state.learningRate, 'non-negative'));
    this.best = state.best === null ? (this.maximizes ? -Infinity : Infinity) : checkNumber(who, 'best', state.best, 'finite');
    this.wait = checkCount(who, 'wait', state.wait);
    this.cooldownCounter = checkCount(who, 'cooldownCounter', state.cooldownCounter);
  }
}

// --- building from configs

const CLASSES: Record<string, new (options: never) => LearningRateSchedule> = {
  ExponentialDecay, PiecewiseConstantDecay, CosineDecay, CosineDecayRestarts, LinearWarmup, ReduceLROnPlateau,
};

/**
 * A new schedule from a schedule or its { className, config } (as saved, or after a structured
 * clone): each optimizer gets its own, so the state of one never moves another's.
 */
export function scheduleFromConfig(value: LearningRateSchedule | ScheduleConfig, who: string): LearningRateSchedule {
  const spec = value instanceof LearningRateSchedule ? value.toJSON() : value;
  const make = spec && typeof spec === 'object' && Object.hasOwn(CLASSES, spec.className) ? CLASSES[spec.className] : undefined;
  if (!make || !spec.config || typeof spec.config !== 'object') {
    throw new ConfigError(`${who}: expected a number or a schedule (${Object.keys(CLASSES).join(', ')}), got ${shownValue(value)}`);
  }
  return new make(spec.config as never);
}

/** The schedule factories, with Keras's names and settings (camelCase). */
export const schedules = {
  exponentialDecay: (options: ExponentialDecayOptions): LearningRateSchedule => new ExponentialDecay(options),
  piecewiseConstantDecay: (options: PiecewiseConstantDecayOptions): LearningRateSchedule => new PiecewiseConstantDecay(options),
  cosineDecay: (options: CosineDecayOptions): LearningRateSchedule => new CosineDecay(options),
  cosineDecayRestarts: (options: CosineDecayRestartsOptions): LearningRateSchedule => new CosineDecayRestarts(options),
  linearWarmup: (options: LinearWarmupOptions): LearningRateSchedule => new LinearWarmup(options),
  reduceLROnPlateau: (options: ReduceLROnPlateauOptions): LearningRateSchedule => new ReduceLROnPlateau(options),
};
