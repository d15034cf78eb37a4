// The optimizer of a compiled model: its checked config, per-parameter state in wasm buffers
// allocated for the weights a training step trains, before the first step that trains them (a
// compiled model that only evaluates holds none, a frozen layer and layer state none either),
// the learning rate of each step (a number or a schedule), gradient clipping, and the step itself
// (a kernel per type: optimizer-types.ts).
import { OwnedBlocks } from '../backend/owned-blocks.js';
import { getBackend } from '../backend/wasm.js';
import { ConfigError } from '../errors.js';
import type { Parameter } from '../layers/layer.js';
import { shownValue } from '../shown-value.js';
import { clipGradients } from './gradient-clipping.js';
import {
  OPTIMIZERS, OPTIMIZER_TYPES, type OptimizerClassName, type OptimizerConfig, type OptimizerType, type ResolvedOptimizerConfig, type Setting, type StepContext,
} from './optimizer-types.js';
import { type LearningRateSchedule, type PlateauState, scheduleFromConfig } from './schedules.js';
import { type Range, checkBoolean, checkKeys, checkNumber } from './settings.js';

export { OPTIMIZERS } from './optimizer-types.js';
export type { OptimizerClassName, OptimizerConfig, OptimizerType, ResolvedOptimizerConfig } from './optimizer-types.js';

export interface OptimizerState {
  steps: number;
  buffers: Float32Array[][];
  /** A schedule's own state (reduceLROnPlateau), when it has one. */
  schedule?: PlateauState;
}

const SETTING_RANGES: Record<Setting, Range | 'boolean'> = {
  momentum: 'fraction', useNesterov: 'boolean', beta1: 'fraction', beta2: 'fraction', epsilon: 'positive',
  weightDecay: 'non-negative', rho: 'fraction', centered: 'boolean', initialAccumulatorValue: 'non-negative',
};

const CLIPPING = ['clipNorm', 'clipValue', 'globalClipNorm'] as const;

/** The settings `type` takes, learningRate and the clipping options included. */
export const optimizerSettings = (type: OptimizerType): string[] =>
  ['type', 'learningRate', ...Object.keys(OPTIMIZER_TYPES[type].settings), ...CLIPPING];

/**
 * convas's name of an optimizer named by TF.js's or Keras's class ('Adam', 'SGD', TF.js's 'RMSProp',
 * Keras's 'RMSprop' and 'AdamW'): its name in lower case, as a model file's class name is read
 * (io/tfjs-reader.ts); any other value as it is.
 */
const typeOf = (name: unknown): unknown =>
  (typeof name === 'string' && (OPTIMIZERS as readonly string[]).includes(name.toLowerCase()) ? name.toLowerCase() : name);

function resolveConfig(config: OptimizerConfig | OptimizerType | OptimizerClassName): ResolvedOptimizerConfig {
  const asGiven = (typeof config === 'string' ? { type: config } : config) as OptimizerConfig;
  const type = asGiven && typeof asGiven === 'object' ? typeOf(asGiven.type) : undefined;
  const given = type !== undefined && type !== asGiven.type ? { ...asGiven, type: type as OptimizerType } : asGiven;
  if (!given || typeof given !== 'object' || !Object.hasOwn(OPTIMIZER_TYPES, given.type)) {
    // An object without a type is most often another library's optimizer (TF.js's tf.train.adam()).
    const named = given && typeof given === 'object' && given.type !== undefined;
    throw new ConfigError(named ? `optimizer: unknown type ${shownValue(given.type)}; expected one of ${OPTIMIZERS.join(', ')}`
      : `optimizer: expected a name or { type, learningRate, … } with type one of ${OPTIMIZERS.join(', ')}; got ${shownValue(given)}`);
  }
  const who = `optimizer ${given.type}`;
  // Keras's SGD takes momentum and nesterov; in TF.js, as here, that is another optimizer.
  const momentumOf = (['momentum', 'nesterov', 'useNesterov'] as const).filter((name) => Object.hasOwn(given, name));
  if (given.type === 'sgd' && momentumOf.length > 0) {
    throw new ConfigError(`${who}: unknown setting${momentumOf.length > 1 ? 's' : ''} ${momentumOf.join(', ')}; SGD with momentum is ` +
      `the optimizer 'momentum' (TF.js's tf.train.momentum, Keras's SGD(momentum=…)): { type: 'momentum', momentum: 0.9, useNesterov? }`);
  }
  checkKeys(who, given, optimizerSettings(given.type));
  const rule = OPTIMIZER_TYPES[given.type];
  const rate = given.learningRate ?? rule.learningRate;
  const resolved: ResolvedOptimizerConfig = {
    type: given.type,
    learningRate: typeof rate === 'number' ? checkNumber(who, 'learningRate', rate, 'positive') : scheduleFromConfig(rate, `${who}: learningRate`),
  };
  for (const [name, fallback] of Object.entries(rule.settings) as Array<[Setting, number | boolean]>) {
    const value = given[name] ?? fallback;
    const range = SETTING_RANGES[name];
    (resolved as Record<string, unknown>)[name] = range === 'boolean' ? checkBoolean(who, name, value) : checkNumber(who, name, value, range);
  }
  const clipping = CLIPPING.filter((name) => given[name] !== undefined);
  if (clipping.length > 1) throw new ConfigError(`${who}: set one of clipNorm, clipValue and globalClipNorm, not ${clipping.join(' and ')}`);
  for (const name of clipping) resolved[name] = checkNumber(who, name, given[name], 'positive');
  return resolved;
}

export class Optimizer {
  readonly config: ResolvedOptimizerConfig;
  /** The names of the state buffers kept per weight, in order. */
  readonly slotNames: string[];
  private readonly schedule?: LearningRateSchedule;
  /** The weights it was attached to (the model's: saved state lists each), and the state buffers of those allocateState gave any, in slotNames order. */
  private params: readonly Parameter[] = [];
  private readonly blocks = new OwnedBlocks(this);
  private readonly stateByParam = new Map<Parameter, number[]>();
  /** Steps taken, and β1^t, β2^t kept as running products (exact and engine-independent). */
  private steps = 0;
  private beta1Power = 1;
  private beta2Power = 1;
  /** The trained weights of the last step, and what a step hands the kernels (reused: a step allocates nothing). */
  private stepped: Parameter[] = [];
  private steppedSet?: ReadonlySet<Parameter>;
  private slots: readonly number[] = [];
  private readonly context: StepContext;

  constructor(config: OptimizerConfig | OptimizerType | OptimizerClassName) {
    this.config = resolveConfig(config);
    this.slotNames = OPTIMIZER_TYPES[this.config.type].slots(this.config);
    if (typeof this.config.learningRate !== 'number') this.schedule = this.config.learningRate;
    this.context = {
      k: getBackend().kernels, value: 0, grad: 0, size: 0, learningRate: 0, config: this.config, correction1: 0, correction2: 0,
      slot: (name) => {
        const i = this.slotNames.indexOf(name);
        return i < 0 ? 0 : this.slots[i];
      },
    };
  }

  /** The rate of the next step (after a step undone, of that step again). */
  get learningRate(): number {
    return this.schedule ? this.schedule.at(this.steps) : this.config.learningRate as number;
  }

  /** The log a schedule follows at the end of each epoch (reduceLROnPlateau), if any. */
  get monitor(): string | undefined {
    return this.schedule?.monitor;
  }

  /** Called by fit at the end of each epoch with the monitored log's value. */
  epochEnd(value: number): void {
    this.schedule?.epochEnd(value);
  }

  /** The weights whose state it keeps, in order; allocateState() makes the state of those a step trains. */
  attach(params: readonly Parameter[]): void {
    this.params = params;
  }

  /** Where each state buffer starts: zeros, or adagrad's initial value. */
  private get initialValue(): number {
    return OPTIMIZER_TYPES[this.config.type].initialValue?.(this.config) ?? 0;
  }

  /**
   * Allocates the state of each attached weight in `trained` that has none, at its initial value:
   * before a step trains them. As Keras's optimizer, it keeps none for frozen weights (a frozen
   * base's would be twice its size with Adam) nor for layer state; a weight unfrozen later gets its
   * state before the first step that trains it, as though it had been kept at its initial value.
   */
  allocateState(trained: ReadonlySet<Parameter>): void {
    const missing = this.params.filter((p) => trained.has(p) && !this.stateByParam.has(p));
    if (missing.length === 0) return;
    const memory = getBackend().memory;
    const slots = this.slotNames.length;
    const made = this.blocks.allocAll(missing.flatMap((p) => this.slotNames.map(() => p.size * 4)));
    missing.forEach((p, i) => {
      const buffers = made.slice(i * slots, (i + 1) * slots);
      buffers.forEach((ptr) => memory.f32(ptr, p.size).fill(this.initialValue));
      this.stateByParam.set(p, buffers);
    });
  }

  /** One step on the attached weights that are in `trained` (frozen weights and layer state keep still). */
  step(trained: ReadonlySet<Parameter>): void {
    if (trained !== this.steppedSet) {
      this.steppedSet = trained;
      this.stepped = this.params.filter((p) => trained.has(p));
    }
    const context = this.context;
    context.learningRate = this.learningRate;
    clipGradients(this.stepped, this.config);
    this.countStep();
    context.correction1 = 1 - this.beta1Power;
    context.correction2 = 1 - this.beta2Power;
    const rule = OPTIMIZER_TYPES[this.config.type];
    for (const p of this.stepped) {
      context.value = p.value;
      context.grad = p.grad;
      context.size = p.size;
      this.slots = this.stateByParam.get(p)!;
      rule.step(context);
    }
  }

  /** The steps taken, each parameter's state buffers (as copies, or initial values where it has none) and the schedule's state, for saving. */
  getState(): OptimizerState {
    const memory = getBackend().memory;
    const schedule = this.schedule?.state;
    const buffers = this.params.map((p) => this.stateByParam.get(p)?.map((ptr) => memory.f32(ptr, p.size).slice()) ??
      this.slotNames.map(() => new Float32Array(p.size).fill(this.initialValue)));
    return { steps: this.steps, buffers, ...(schedule ? { schedule } : {}) };
  }

  /**
   * Restores a saved state; shapes were validated by the loader. A weight whose saved state is all
   * initial values (frozen, or never trained) is left without any, which a later step makes alike.
   */
  setState(state: OptimizerState): void {
    const initial = Math.fround(this.initialValue); // as the saved f32 holds it
    const kept = (i: number) => state.buffers[i].some((values) => values.some((v) => !Object.is(v, initial)));
    this.allocateState(new Set(this.params.filter((p, i) => this.stateByParam.has(p) || kept(i))));
    const memory = getBackend().memory;
    this.params.forEach((p, i) => this.stateByParam.get(p)?.forEach((ptr, j) => memory.f32(ptr, p.size).set(state.buffers[i][j])));
    if (state.schedule) this.scheduleState = state.schedule;
    this.replaySteps(state.steps);
  }

  /** Restores the schedule's own state (reduceLROnPlateau's), checked. */
  set scheduleState(state: PlateauState) {
    if (!this.schedule?.state) throw new ConfigError('optimizer: a schedule state was given, but the learning rate has no schedule that keeps one');
    this.schedule.state = state;
  }

  /** A weight's state buffers (addresses): for checkpoints of a step. */
  stateBuffers(param: Parameter): readonly number[] {
    return this.stateByParam.get(param) ?? [];
  }

  /** Uncounts the last step, once its buffers were restored from a checkpoint. */
  forgetLastStep(): void {
    this.replaySteps(this.steps - 1);
  }

  private countStep(): void {
    this.steps++;
    this.beta1Power *= this.config.beta1 ?? 0;
    this.beta2Power *= this.config.beta2 ?? 0;
  }

  /** Replaying the running products keeps β^t bit-identical to an uninterrupted run. */
  private replaySteps(steps: number): void {
    this.steps = 0;
    this.beta1Power = this.beta2Power = 1;
    for (let t = 0; t < steps; t++) this.countStep();
  }

  dispose(): void {
    this.blocks.freeAll();
    this.stateByParam.clear();
  }
}
