// The losses, with Keras's names and semantics (except meanSquaredError, convas's ½Σ(t − o)²).
// Each is averaged over the batch; the gradient is written for backward. The cross-entropies, the
// categorical hinge, the KL divergence and the cosine proximity (Keras's cosine_similarity, −1 where
// output and target point alike) score each position of an output ([H, W, C]: a softmax or sigmoid per
// pixel) over its last axis and average over positions and batch, as Keras does; the other losses
// score an example's output as one row (the same mean as Keras's, but for convas's ½Σ(t − o)²). A softmax output trained with a categorical cross-entropy, or a sigmoid output with
// binaryCrossentropy, is computed from the logits in one fused, stable kernel; so is any output
// with a cross-entropy's fromLogits (Keras's from_logits: the output is the logits, softmax or
// sigmoid is the loss's own); a logSoftmax output is log-probabilities already, which the
// categorical cross-entropies read as such (PyTorch's NLLLoss of log_softmax) unless fromLogits
// says to take them as logits; other outputs are taken as probabilities, clipped to
// [1e-7, 1 − 1e-7] as Keras does.
import { OUTPUT_LOSS } from '../backend/kernels.js';
import { getBackend } from '../backend/wasm.js';
import { ConfigError } from '../errors.js';
import { type Shape, formatShape, sizeOf } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { checkBoolean, checkKeys, checkNumber } from './settings.js';

export const LOSSES = [
  'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError',
  'meanAbsoluteError', 'huber', 'hinge', 'squaredHinge', 'categoricalHinge', 'kullbackLeiblerDivergence', 'poisson', 'logcosh',
  'meanSquaredLogarithmicError', 'meanAbsolutePercentageError', 'cosineProximity',
] as const;
export type LossName = (typeof LOSSES)[number];

/**
 * Keras's names of the losses, which compile takes too (and TF.js's model files carry: io/tfjs-format.ts).
 * Where Keras 3 renamed one, this is the older name, which TF.js's loader turns into its own
 * (kullback_leibler_divergence → kullbackLeiblerDivergence; Keras 3's kl_divergence would not be).
 */
export const KERAS_LOSS_NAMES = {
  categoricalCrossentropy: 'categorical_crossentropy',
  sparseCategoricalCrossentropy: 'sparse_categorical_crossentropy',
  binaryCrossentropy: 'binary_crossentropy',
  meanSquaredError: 'mean_squared_error',
  meanAbsoluteError: 'mean_absolute_error',
  huber: 'huber',
  hinge: 'hinge',
  squaredHinge: 'squared_hinge',
  categoricalHinge: 'categorical_hinge',
  kullbackLeiblerDivergence: 'kullback_leibler_divergence',
  poisson: 'poisson',
  logcosh: 'logcosh',
  meanSquaredLogarithmicError: 'mean_squared_logarithmic_error',
  meanAbsolutePercentageError: 'mean_absolute_percentage_error',
  cosineProximity: 'cosine_proximity',
} as const satisfies Record<LossName, string>;

/**
 * Keras's other names of the losses: its short ones (as keras.losses.get takes them), Keras 3's new
 * ones, and those Keras 3's names become in TF.js's loader (which camel-cases a file's loss).
 */
const KERAS_ALIASES = {
  mse: 'meanSquaredError', MSE: 'meanSquaredError', mae: 'meanAbsoluteError', MAE: 'meanAbsoluteError',
  kl_divergence: 'kullbackLeiblerDivergence', klDivergence: 'kullbackLeiblerDivergence', kld: 'kullbackLeiblerDivergence',
  KLD: 'kullbackLeiblerDivergence', log_cosh: 'logcosh', logCosh: 'logcosh', msle: 'meanSquaredLogarithmicError',
  MSLE: 'meanSquaredLogarithmicError', mape: 'meanAbsolutePercentageError', MAPE: 'meanAbsolutePercentageError',
  cosine_similarity: 'cosineProximity', cosineSimilarity: 'cosineProximity',
} as const satisfies Record<string, LossName>;

/** Keras's name of a loss, or one of its other names. */
export type KerasLossName = (typeof KERAS_LOSS_NAMES)[LossName] | keyof typeof KERAS_ALIASES;

/** Each of Keras's names → convas's (TF.js's) name. */
const FROM_KERAS: Readonly<Record<string, LossName>> = {
  ...Object.fromEntries(Object.entries(KERAS_LOSS_NAMES).map(([name, keras]) => [keras, name as LossName])),
  ...KERAS_ALIASES,
};

/** convas's (TF.js's) name of the loss `name` names, TF.js's way or Keras's; undefined for any other value. */
export function lossNamed(name: unknown): LossName | undefined {
  if (typeof name !== 'string') return undefined;
  return Object.hasOwn(FROM_KERAS, name) ? FROM_KERAS[name] : (LOSSES as readonly string[]).includes(name) ? name as LossName : undefined;
}

/** What compile takes: a loss's name, TF.js's or Keras's, alone or as the type of { type, …settings }. */
export type LossSpec = LossName | KerasLossName | LossConfig | (Omit<LossConfig, 'type'> & { type: KerasLossName });

/** compile({ loss }): a name, or { type, …settings } for a loss with settings. */
export interface LossConfig {
  type: LossName;
  /** The cross-entropies: targets are smoothed towards uniform, t·(1 − ls) + ls/classes (binary: + ls/2). Default 0. */
  labelSmoothing?: number;
  /** huber: where the square turns linear. Default 1. */
  delta?: number;
  /**
   * The cross-entropies: the output is logits, not probabilities (Keras's from_logits); the loss
   * applies softmax (sigmoid for binaryCrossentropy) itself, stably, and a yes/no output counts as
   * yes above 0 in the metrics. Default false.
   */
  fromLogits?: boolean;
}

/** How accuracy is counted: the largest output's class, or each output as a yes/no (binary: > 0.5; sign: > 0). */
export type AccuracyKind = 'class' | 'binary' | 'sign';

type LossSetting = 'labelSmoothing' | 'delta' | 'fromLogits';
const SETTING_DEFAULTS: Record<LossSetting, number | boolean> = { labelSmoothing: 0, delta: 1, fromLogits: false };

interface LossRule {
  /** The settings it takes (their defaults: SETTING_DEFAULTS). */
  settings: LossSetting[];
  /** The output activation whose logits the loss takes directly (and applies itself with fromLogits). */
  fusesWith?: 'softmax' | 'sigmoid';
  /** Targets are class ids, one per position. */
  sparse?: boolean;
  /** Scores each position's values along the output's last axis on its own (Keras's reduction over axis −1). */
  perPosition?: boolean;
  /**
   * Floors the output at 1e-7 (a probability, or a value under a logarithm), so a logSoftmax output,
   * ≤ 0 everywhere, would be clipped whole: a constant loss and no gradient. The output to use instead.
   */
  refusesLogSoftmax?: string;
  accuracy: AccuracyKind;
}

const LOSS_RULES: Record<LossName, LossRule> = {
  categoricalCrossentropy: { settings: ['labelSmoothing', 'fromLogits'], fusesWith: 'softmax', perPosition: true, accuracy: 'class' },
  sparseCategoricalCrossentropy: { settings: ['labelSmoothing', 'fromLogits'], fusesWith: 'softmax', sparse: true, perPosition: true, accuracy: 'class' },
  binaryCrossentropy: {
    settings: ['labelSmoothing', 'fromLogits'], fusesWith: 'sigmoid', perPosition: true, accuracy: 'binary',
    refusesLogSoftmax: 'use a sigmoid output for binaryCrossentropy, or categoricalCrossentropy / sparseCategoricalCrossentropy with logSoftmax',
  },
  meanSquaredError: { settings: [], accuracy: 'class' },
  meanAbsoluteError: { settings: [], accuracy: 'class' },
  huber: { settings: ['delta'], accuracy: 'class' },
  hinge: { settings: [], accuracy: 'sign' },
  squaredHinge: { settings: [], accuracy: 'sign' },
  categoricalHinge: { settings: [], perPosition: true, accuracy: 'class' },
  kullbackLeiblerDivergence: {
    settings: [], perPosition: true, accuracy: 'class',
    refusesLogSoftmax: "it takes probabilities, as Keras's kl_divergence does (PyTorch's KLDivLoss takes log-probabilities): end the model in " +
      "activation 'softmax'",
  },
  poisson: { settings: [], accuracy: 'class' },
  logcosh: { settings: [], accuracy: 'class' },
  meanSquaredLogarithmicError: { settings: [], accuracy: 'class', refusesLogSoftmax: "end the model in an output that is not negative ('softplus', 'relu')" },
  meanAbsolutePercentageError: { settings: [], accuracy: 'class' },
  cosineProximity: { settings: [], perPosition: true, accuracy: 'class' },
};

/**
 * A loss that cannot score this model's output. A ConfigError at compile; a model file whose training
 * settings ask for one still loads, uncompiled (model-plan.ts), for it predicts all the same.
 */
export class LossDoesNotFitOutput extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The activation that made a model's output values, the length of the rows it normalises, and whether a Dropout (rate > 0) follows it. */
export interface OutputValues {
  name: string;
  classes: number;
  behindDropout: boolean;
}

/** A checked loss: its name and every setting it takes. */
export interface Loss {
  readonly type: LossName;
  readonly labelSmoothing: number;
  readonly delta: number;
  readonly fromLogits: boolean;
  readonly sparse: boolean;
  readonly perPosition: boolean;
  readonly fusesWith?: 'softmax' | 'sigmoid';
  /** A categorical cross-entropy of a logSoftmax output: −Σ t·o, the outputs being log-probabilities. */
  readonly logProbabilities: boolean;
  readonly accuracy: AccuracyKind;
  /** Where a yes/no output turns yes: 0.5 for a probability, 0 for a logit. */
  readonly yesAbove: number;
}

/** The loss as compile gives it; `outputActivation` is the activation that made the model's output values, when one did. */
export function checkLoss(config: unknown, outputActivation?: string): Loss {
  const named = (typeof config === 'string' ? { type: config } : config) as LossConfig | undefined;
  // Keras's names read as TF.js's: the loss is kept, saved and reported under convas's.
  const type = named && typeof named === 'object' ? lossNamed(named.type) : undefined;
  if (type === undefined) {
    const name = shownValue(typeof config === 'object' && config ? (config as LossConfig).type : config);
    const hint = typeof config === 'function' ? ' (a loss is given by its name, or { type, …settings }: convas has no custom loss functions)' : '';
    throw new ConfigError(`compile: unknown loss ${name}${hint}; expected one of ${LOSSES.join(', ')} (or Keras's names for them)`);
  }
  const given = { ...named!, type };
  const rule = LOSS_RULES[given.type];
  const who = `loss ${given.type}`;
  checkKeys(who, given, ['type', ...rule.settings]);
  const fromLogits = checkBoolean(who, 'fromLogits', given.fromLogits ?? SETTING_DEFAULTS.fromLogits);
  // Every log-probability is ≤ 0, which these losses clip to 1e-7: nothing would train, and nothing would say so.
  if (rule.refusesLogSoftmax && outputActivation === 'logSoftmax') {
    throw new LossDoesNotFitOutput(`compile: loss ${given.type} floors its output at 1e-7, but the output is logSoftmax (log-probabilities, ` +
      `all ≤ 0): it would be clipped whole, with no gradient; ${rule.refusesLogSoftmax}`);
  }
  return {
    type: given.type,
    labelSmoothing: checkNumber(who, 'labelSmoothing', given.labelSmoothing ?? SETTING_DEFAULTS.labelSmoothing, 'unit'),
    delta: checkNumber(who, 'delta', given.delta ?? SETTING_DEFAULTS.delta, 'positive'),
    fromLogits,
    sparse: rule.sparse ?? false,
    perPosition: rule.perPosition ?? false,
    fusesWith: rule.fusesWith,
    logProbabilities: !fromLogits && rule.fusesWith === 'softmax' && outputActivation === 'logSoftmax',
    accuracy: rule.accuracy,
    // A sigmoid's logit above 0 is its probability above 0.5; a softmax's logits have no such cut.
    yesAbove: fromLogits && rule.fusesWith === 'sigmoid' ? 0 : 0.5,
  };
}

/** The loss as compile took it and files save it: the name alone when every setting is at its default. */
export function lossConfig(loss: Loss): LossName | LossConfig {
  const changed = LOSS_RULES[loss.type].settings.filter((name) => loss[name] !== SETTING_DEFAULTS[name]);
  if (changed.length === 0) return loss.type;
  const config: LossConfig = { type: loss.type };
  for (const name of changed) (config as Record<LossSetting, number | boolean>)[name] = loss[name];
  return config;
}

/** One example's output read as `positions` rows of `classes` values, each row on its own. */
export interface OutputRows {
  readonly positions: number;
  readonly classes: number;
}

/** An output read along its last axis, a row at each position: as Keras's metrics and per-position losses read [H, W, C]. */
export function rowsAlongLastAxis(outputShape: Shape): OutputRows {
  const classes = outputShape[outputShape.length - 1];
  return { positions: sizeOf(outputShape) / classes, classes };
}

/**
 * How a loss reads one example's output, its rows averaged over positions and batch: along the last
 * axis for the per-position losses, as one row for the others.
 */
export function lossRows(loss: Loss, outputShape: Shape): OutputRows {
  return loss.perPosition ? rowsAlongLastAxis(outputShape) : { positions: 1, classes: sizeOf(outputShape) };
}

/**
 * Refuses, at compile, a loss that cannot score this output. Sparse labels need 2 or more classes
 * on the output's last axis. A softmax or logSoftmax output (`classes`: the length of the axis it
 * normalised, behind any Reshape or Flatten) is probabilities or log-probabilities of each
 * position's classes only if that axis is the output's last.
 */
export function checkLossFitsOutput(loss: Loss, outputShape: Shape, values?: OutputValues): void {
  const classes = outputShape[outputShape.length - 1];
  if (loss.sparse && classes < 2) {
    throw new LossDoesNotFitOutput(`compile: loss ${loss.type} scores the classes on the output's last axis (2 or more) against class ids, ` +
      `but the model outputs ${formatShape(outputShape)} per example`);
  }
  if (loss.fusesWith !== 'softmax' || loss.fromLogits || !values || !['softmax', 'logSoftmax'].includes(values.name)) return;
  // Flattening a softmax over each position's classes does not make one row of classes.
  if (values.classes !== classes) {
    throw new LossDoesNotFitOutput(`compile: loss ${loss.type} reads the output's last axis as the classes (${classes} of them, at each ` +
      `position of ${formatShape(outputShape)}), but its ${values.name} normalised rows of ${values.classes} values; apply it to the ` +
      'output\'s last axis (after any Reshape or Flatten)');
  }
  // Dropout scales what it keeps while training: log-probabilities scaled are none (softmax's are
  // probabilities still, as Keras has them), and the dropped zeros would top every training argmax.
  if (values.name === 'logSoftmax' && values.behindDropout) {
    throw new LossDoesNotFitOutput(`compile: loss ${loss.type} reads the logSoftmax output as log-probabilities, but a Dropout after ` +
      'it scales them while training; put the Dropout before the layer that ends in logSoftmax');
  }
}

/** The activations whose values are never negative: rates poisson can take the logarithm of. */
const NON_NEGATIVE_OUTPUTS: readonly string[] = ['softplus', 'sigmoid', 'hardSigmoid', 'softmax', 'relu', 'relu6'];

/**
 * What is likely wrong when a cross-entropy meets this output activation, for a warning at compile:
 * logits (no activation) read as probabilities, which the clip then flattens without a word, or
 * probabilities read as logits (Keras warns of that one too); or poisson after an activation that
 * can go negative, where its logarithm is NaN. Undefined when they fit.
 */
export function outputMismatch(loss: Loss, activation: string): string | undefined {
  if (loss.type === 'poisson' && !NON_NEGATIVE_OUTPUTS.includes(activation)) {
    return `loss poisson takes log(o + 1e-7) of the model's output, a rate, but its last layer's activation ('${activation}') can ` +
      `make it negative, where the loss is NaN; end the model in activation 'softplus' (or 'sigmoid', 'softmax', 'relu')`;
  }
  if (!loss.fusesWith) return undefined;
  if (!loss.fromLogits && activation === 'linear') {
    return `loss ${loss.type} reads the model's output as probabilities, but its last layer has no activation, so the output is ` +
      `likely logits: they will be clipped to [1e-7, 1 − 1e-7]. End the model in activation '${loss.fusesWith}', or compile with ` +
      `loss { type: '${loss.type}', fromLogits: true }`;
  }
  if (loss.fromLogits && (activation === 'softmax' || activation === 'sigmoid')) {
    const stably = activation === loss.fusesWith ? ` (the loss then works from the ${activation}'s logits anyway, stably)` : '';
    return `loss ${loss.type} has fromLogits: true, but the model's output comes from a ${activation} and is probabilities, not ` +
      `logits; leave fromLogits out${stably}`;
  }
  return undefined;
}

/** Readies the targets of `examples` examples gathered from y for the loss kernels: class ids become one-hot rows, in place. */
export function prepareTargets(loss: Loss, targets: number, examples: number, read: OutputRows): void {
  if (loss.sparse) getBackend().kernels.expandClassIds(targets, examples * read.positions, read.classes);
}

/**
 * Computes the loss of `examples` examples' `outputs` against `targets` (after prepareTargets), each
 * example read as `read` says (lossRows: the kernels take examples × positions rows of a position's
 * classes), and, when
 * dOutputs ≠ 0, its gradient. With `logits` ≠ 0 (the output activation fused with the loss) the
 * fused kernel works from the logits and the gradient is with respect to them; with fromLogits the
 * outputs are the logits, and the kernels make the probabilities they need themselves (softmax's in
 * dOutputs, which its gradient then overwrites). With `rowWeights` ≠ 0
 * (one f32 per row: class weights) each row's loss and gradient count that many times.
 */
export function computeLoss(loss: Loss, outputs: number, logits: number, targets: number, dOutputs: number,
  examples: number, read: OutputRows, rowWeights = 0): number {
  const k = getBackend().kernels;
  const rows = examples * read.positions, cols = read.classes;
  switch (loss.type) {
    case 'categoricalCrossentropy':
    case 'sparseCategoricalCrossentropy':
      if (loss.fromLogits) return k.softmaxCrossEntropy(outputs, targets, dOutputs, dOutputs, rows, cols, loss.labelSmoothing, rowWeights);
      if (logits !== 0) return k.softmaxCrossEntropy(logits, targets, outputs, dOutputs, rows, cols, loss.labelSmoothing, rowWeights);
      return k.outputLoss(OUTPUT_LOSS[loss.logProbabilities ? 'logProbabilityCrossentropy' : 'categoricalCrossentropy'], outputs, 0, targets, dOutputs,
        rows, cols, loss.labelSmoothing, rowWeights);
    case 'binaryCrossentropy': {
      if (loss.fromLogits) return k.outputLoss(OUTPUT_LOSS.sigmoidCrossentropy, 0, outputs, targets, dOutputs, rows, cols, loss.labelSmoothing, rowWeights);
      const kind = logits !== 0 ? OUTPUT_LOSS.sigmoidCrossentropy : OUTPUT_LOSS.binaryCrossentropy;
      return k.outputLoss(kind, outputs, logits, targets, dOutputs, rows, cols, loss.labelSmoothing, rowWeights);
    }
    case 'categoricalHinge': return k.categoricalHinge(outputs, targets, dOutputs, rows, cols, rowWeights);
    case 'cosineProximity': return k.cosineSimilarity(outputs, targets, dOutputs, rows, cols, rowWeights);
    default: return k.outputLoss(OUTPUT_LOSS[loss.type], outputs, 0, targets, dOutputs, rows, cols, loss.type === 'huber' ? loss.delta : 0,
      rowWeights);
  }
}
