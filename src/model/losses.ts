// The losses, with Keras's names and semantics (except meanSquaredError, convas's ½Σ(t − o)²).
// Each is averaged over the batch; the gradient is written for backward. A softmax output trained
// with a categorical cross-entropy, or a sigmoid output with binaryCrossentropy, is computed from
// the logits in one fused, stable kernel; a logSoftmax output is log-probabilities already, which
// the categorical cross-entropies read as such (PyTorch's NLLLoss of log_softmax); other outputs are
// taken as probabilities, clipped to [1e-7, 1 − 1e-7] as Keras does.
import { OUTPUT_LOSS } from '../backend/kernels.js';
import { getBackend } from '../backend/wasm.js';
import { ConfigError } from '../errors.js';
import { type Shape, formatShape } from '../shape.js';
import { checkKeys, checkNumber } from './settings.js';

export const LOSSES = [
  'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError',
  'meanAbsoluteError', 'huber', 'hinge', 'squaredHinge', 'categoricalHinge',
] as const;
export type LossName = (typeof LOSSES)[number];

/** compile({ loss }): a name, or { type, …settings } for a loss with settings. */
export interface LossConfig {
  type: LossName;
  /** The cross-entropies: targets are smoothed towards uniform, t·(1 − ls) + ls/classes (binary: + ls/2). Default 0. */
  labelSmoothing?: number;
  /** huber: where the square turns linear. Default 1. */
  delta?: number;
}

/** How accuracy is counted: the largest output's class, or each output as a yes/no (binary: > 0.5; sign: > 0). */
export type AccuracyKind = 'class' | 'binary' | 'sign';

type LossSetting = 'labelSmoothing' | 'delta';
const SETTING_DEFAULTS: Record<LossSetting, number> = { labelSmoothing: 0, delta: 1 };

interface LossRule {
  /** The settings it takes (their defaults: SETTING_DEFAULTS). */
  settings: LossSetting[];
  /** The output activation whose logits the loss takes directly. */
  fusesWith?: 'softmax' | 'sigmoid';
  /** Targets are class ids, one per example. */
  sparse?: boolean;
  accuracy: AccuracyKind;
}

const LOSS_RULES: Record<LossName, LossRule> = {
  categoricalCrossentropy: { settings: ['labelSmoothing'], fusesWith: 'softmax', accuracy: 'class' },
  sparseCategoricalCrossentropy: { settings: ['labelSmoothing'], fusesWith: 'softmax', sparse: true, accuracy: 'class' },
  binaryCrossentropy: { settings: ['labelSmoothing'], fusesWith: 'sigmoid', accuracy: 'binary' },
  meanSquaredError: { settings: [], accuracy: 'class' },
  meanAbsoluteError: { settings: [], accuracy: 'class' },
  huber: { settings: ['delta'], accuracy: 'class' },
  hinge: { settings: [], accuracy: 'sign' },
  squaredHinge: { settings: [], accuracy: 'sign' },
  categoricalHinge: { settings: [], accuracy: 'class' },
};

/** A checked loss: its name and every setting it takes. */
export interface Loss {
  readonly type: LossName;
  readonly labelSmoothing: number;
  readonly delta: number;
  readonly sparse: boolean;
  readonly fusesWith?: 'softmax' | 'sigmoid';
  /** A categorical cross-entropy of a logSoftmax output: −Σ t·o, the outputs being log-probabilities. */
  readonly logProbabilities: boolean;
  readonly accuracy: AccuracyKind;
}

/** The loss as compile gives it; `outputActivation` is the activation of the model's output, when it has one. */
export function checkLoss(config: unknown, outputActivation?: string): Loss {
  const given = (typeof config === 'string' ? { type: config } : config) as LossConfig | undefined;
  if (!given || typeof given !== 'object' || !Object.hasOwn(LOSS_RULES, given.type)) {
    const name = JSON.stringify(typeof config === 'object' && config ? (config as LossConfig).type : config);
    throw new ConfigError(`compile: unknown loss ${name}; expected one of ${LOSSES.join(', ')}`);
  }
  const rule = LOSS_RULES[given.type];
  const who = `loss ${given.type}`;
  checkKeys(who, given, ['type', ...rule.settings]);
  return {
    type: given.type,
    labelSmoothing: checkNumber(who, 'labelSmoothing', given.labelSmoothing ?? SETTING_DEFAULTS.labelSmoothing, 'unit'),
    delta: checkNumber(who, 'delta', given.delta ?? SETTING_DEFAULTS.delta, 'positive'),
    sparse: rule.sparse ?? false,
    fusesWith: rule.fusesWith,
    logProbabilities: rule.fusesWith === 'softmax' && outputActivation === 'logSoftmax',
    accuracy: rule.accuracy,
  };
}

/** The loss as compile took it and files save it: the name alone when every setting is at its default. */
export function lossConfig(loss: Loss): LossName | LossConfig {
  const changed = LOSS_RULES[loss.type].settings.filter((name) => loss[name] !== SETTING_DEFAULTS[name]);
  if (changed.length === 0) return loss.type;
  const config: LossConfig = { type: loss.type };
  for (const name of changed) config[name] = loss[name];
  return config;
}

/** Refuses, at compile, a loss that cannot score this output: sparse labels need an output of [classes]. */
export function checkLossFitsOutput(loss: Loss, outputShape: Shape): void {
  if (loss.sparse && (outputShape.length !== 1 || outputShape[0] < 2)) {
    throw new ConfigError(`compile: loss ${loss.type} scores an output of [classes] (2 or more) against class ids, but the model ` +
      `outputs ${formatShape(outputShape)} per example`);
  }
}

/** Readies targets gathered from y for the loss kernels: class ids become one-hot rows, in place. */
export function prepareTargets(loss: Loss, targets: number, rows: number, cols: number): void {
  if (loss.sparse) getBackend().kernels.expandClassIds(targets, rows, cols);
}

/**
 * Computes the loss of `outputs` against `targets` ([rows, cols], after prepareTargets) and, when
 * dOutputs ≠ 0, its gradient. With `logits` ≠ 0 (the output activation fused with the loss) the
 * fused kernel works from the logits and the gradient is with respect to them. With `rowWeights` ≠ 0
 * (one f32 per row: class weights) each row's loss and gradient count that many times.
 */
export function computeLoss(loss: Loss, outputs: number, logits: number, targets: number, dOutputs: number,
  rows: number, cols: number, rowWeights = 0): number {
  const k = getBackend().kernels;
  switch (loss.type) {
    case 'categoricalCrossentropy':
    case 'sparseCategoricalCrossentropy':
      if (logits !== 0) return k.softmaxCrossEntropy(logits, targets, outputs, dOutputs, rows, cols, loss.labelSmoothing, rowWeights);
      return k.outputLoss(OUTPUT_LOSS[loss.logProbabilities ? 'logProbabilityCrossentropy' : 'categoricalCrossentropy'], outputs, 0, targets, dOutputs,
        rows, cols, loss.labelSmoothing, rowWeights);
    case 'binaryCrossentropy': {
      const kind = logits !== 0 ? OUTPUT_LOSS.sigmoidCrossentropy : OUTPUT_LOSS.binaryCrossentropy;
      return k.outputLoss(kind, outputs, logits, targets, dOutputs, rows, cols, loss.labelSmoothing, rowWeights);
    }
    case 'categoricalHinge': return k.categoricalHinge(outputs, targets, dOutputs, rows, cols, rowWeights);
    default: return k.outputLoss(OUTPUT_LOSS[loss.type], outputs, 0, targets, dOutputs, rows, cols, loss.type === 'huber' ? loss.delta : 0,
      rowWeights);
  }
}
