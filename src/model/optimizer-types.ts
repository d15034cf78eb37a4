// The optimizers convas has: for each, its settings with their defaults (Keras's, in TF.js's
// camelCase names), the state buffers it keeps per weight, and the wasm kernel of its step (the
// formulas are written beside the kernels, in assembly/). Where TF.js 4.22 departs from
// TensorFlow/Keras (centered RMSProp, Adadelta) the kernels follow Keras.
import type { Kernels } from '../backend/kernels.js';
import type { LearningRateSchedule, ScheduleConfig } from './schedules.js';

export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'adamw', 'adamax', 'rmsprop', 'adagrad', 'adadelta'] as const;
export type OptimizerType = (typeof OPTIMIZERS)[number];
/** TF.js's and Keras's class names of the optimizers, which compile takes for convas's (any case does: 'RMSProp', 'RMSprop'). */
export type OptimizerClassName = 'SGD' | 'Momentum' | 'Adam' | 'AdamW' | 'Adamax' | 'RMSProp' | 'RMSprop' | 'Adagrad' | 'Adadelta';

export interface OptimizerConfig {
  type: OptimizerType;
  /** A rate, or a schedule (schedules.cosineDecay(…), …) giving one per step. */
  learningRate?: number | LearningRateSchedule | ScheduleConfig;
  /** momentum: the decay of the accumulated gradient (0.9); rmsprop: of its momentum (0, none). */
  momentum?: number;
  useNesterov?: boolean;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /**
   * sgd, momentum, adam: an L2 penalty, weightDecay·w added to every gradient (default 0).
   * adamw: decoupled, lr·weightDecay·w taken off every weight, biases too (default 0.004).
   */
  weightDecay?: number;
  /** rmsprop, adadelta: the decay of the mean squares (TF.js calls rmsprop's `decay`). */
  rho?: number;
  /** rmsprop: divide by an estimate of the variance rather than the mean square. */
  centered?: boolean;
  /** adagrad: where the accumulated squares start (0.1). */
  initialAccumulatorValue?: number;
  /** Each weight's gradient is scaled down to this norm when above it (Keras's clipnorm). */
  clipNorm?: number;
  /** Each gradient value is clipped to [−clipValue, clipValue] (Keras's clipvalue). */
  clipValue?: number;
  /** All gradients together are scaled down to this norm when above it (Keras's global_clipnorm). */
  globalClipNorm?: number;
}

/** A config with every setting of its type filled in (clipping only when asked for), the rate as a schedule or number. */
export type ResolvedOptimizerConfig = Omit<OptimizerConfig, 'learningRate'> & { learningRate: number | LearningRateSchedule };

export type Setting = Exclude<keyof OptimizerConfig, 'type' | 'learningRate' | 'clipNorm' | 'clipValue' | 'globalClipNorm'>;

/** What a step needs besides the weight: its state buffers by slot name (0 when absent) and the rate. */
export interface StepContext {
  k: Kernels;
  value: number;
  grad: number;
  size: number;
  slot: (name: string) => number;
  learningRate: number;
  config: ResolvedOptimizerConfig;
  /** 1 − β1^t and 1 − β2^t for this step t (1 for the first). */
  correction1: number;
  correction2: number;
}

interface OptimizerRule {
  learningRate: number;
  settings: Partial<Record<Setting, number | boolean>>;
  /** The state buffers kept per weight, by name (saved as optimizer/<weight>/<slot>). */
  slots(config: ResolvedOptimizerConfig): string[];
  /** Where a slot starts (0 unless said). */
  initialValue?(config: ResolvedOptimizerConfig): number;
  step(c: StepContext): void;
}

const ADAM_MOMENTS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

export const OPTIMIZER_TYPES: Record<OptimizerType, OptimizerRule> = {
  sgd: {
    learningRate: 0.01, settings: { weightDecay: 0 }, slots: () => [],
    step: ({ k, value, grad, size, learningRate, config }) => k.sgdUpdate(value, grad, size, learningRate, config.weightDecay!),
  },
  momentum: {
    learningRate: 0.01, settings: { momentum: 0.9, useNesterov: false, weightDecay: 0 }, slots: () => ['velocity'],
    step: ({ k, value, grad, size, slot, learningRate, config }) =>
      k.momentumUpdate(value, grad, slot('velocity'), size, learningRate, config.momentum!, config.useNesterov ? 1 : 0, config.weightDecay!),
  },
  adam: {
    learningRate: 0.001, settings: { ...ADAM_MOMENTS, weightDecay: 0 }, slots: () => ['m', 'v'],
    step: (c) => adamStep(c, c.config.weightDecay!, 0),
  },
  adamw: {
    learningRate: 0.001, settings: { ...ADAM_MOMENTS, weightDecay: 0.004 }, slots: () => ['m', 'v'],
    step: (c) => adamStep(c, 0, c.config.weightDecay!),
  },
  adamax: {
    learningRate: 0.001, settings: ADAM_MOMENTS, slots: () => ['m', 'u'],
    step: ({ k, value, grad, size, slot, learningRate, config, correction1 }) =>
      k.adamaxUpdate(value, grad, slot('m'), slot('u'), size, learningRate, config.beta1!, config.beta2!, config.epsilon!, correction1),
  },
  rmsprop: {
    learningRate: 0.001, settings: { rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false },
    slots: (config) => ['rms', ...(config.momentum! > 0 ? ['momentum'] : []), ...(config.centered ? ['mg'] : [])],
    step: ({ k, value, grad, size, slot, learningRate, config }) => k.rmspropUpdate(value, grad, slot('rms'), slot('momentum'), slot('mg'),
      size, learningRate, config.rho!, config.momentum!, config.epsilon!),
  },
  adagrad: {
    learningRate: 0.001, settings: { initialAccumulatorValue: 0.1, epsilon: 1e-7 }, slots: () => ['accumulator'],
    initialValue: (config) => config.initialAccumulatorValue!,
    step: ({ k, value, grad, size, slot, learningRate, config }) =>
      k.adagradUpdate(value, grad, slot('accumulator'), size, learningRate, config.epsilon!),
  },
  adadelta: {
    learningRate: 0.001, settings: { rho: 0.95, epsilon: 1e-7 }, slots: () => ['accum_grad', 'accum_var'],
    step: ({ k, value, grad, size, slot, learningRate, config }) =>
      k.adadeltaUpdate(value, grad, slot('accum_grad'), slot('accum_var'), size, learningRate, config.rho!, config.epsilon!),
  },
};

function adamStep({ k, value, grad, size, slot, learningRate, config, correction1, correction2 }: StepContext, l2: number, decoupled: number): void {
  k.adamUpdate(value, grad, slot('m'), slot('v'), size, learningRate, config.beta1!, config.beta2!, config.epsilon!,
    correction1, correction2, l2, decoupled);
}
