// The losses that score each output against its target on its own, as Keras defines them (and
// convas's ½Σ(t − o)²): one driver, each loss a formula for one output and its slope. A row's
// scores are summed (the categorical cross-entropy, the KL divergence, ½Σ(t − o)²) or averaged (the others, as Keras's
// mean over the last axis); rows are averaged, summed in f64 in row order, each weighted by its
// row weight when `rowWeights` ≠ 0 (class weights); gradients are written only when their pointer
// is not 0. The codes are part of the kernel contract (OUTPUT_LOSS in src/backend/kernels.ts).
import { clip, inClip, smoothed } from './probability';
import { rowWeight } from './row-weight';

/** −t·log o, o clipped to [1e-7, 1 − 1e-7], summed over the row (setting: label smoothing, t·(1 − ls) + ls/cols). */
const CROSSENTROPY = 0;
/** ½(o − t)², summed over the row: convas's mean squared error. */
const HALF_SQUARED_ERROR = 1;
/** |o − t|. */
const ABSOLUTE_ERROR = 2;
/** ½x² where |x| ≤ δ, else δ·|x| − ½δ², x = o − t (setting: δ). */
const HUBER = 3;
/** max(1 − t·o, 0), t in −1/1; a batch of 0/1 targets is read as −1/1 (Keras decides per batch). */
const HINGE = 4;
/** max(1 − t·o, 0)², targets as for HINGE. */
const SQUARED_HINGE = 5;
/** −(t·log o + (1 − t)·log(1 − o)), o clipped as above (setting: label smoothing, t·(1 − ls) + ls/2). */
const BINARY_CROSSENTROPY = 6;
/**
 * The same from the logit z of a sigmoid output, in the log-sum-exp form that never overflows:
 * max(z, 0) − z·t + log(1 + e^−|z|); the slope with respect to z is σ(z) − t, σ(z) the output
 * (computed here when there is no output: a loss from logits).
 */
const SIGMOID_CROSSENTROPY = 7;
/**
 * −t·o of a log-probability o (a logSoftmax output), summed over the row: the cross-entropy, as
 * PyTorch's NLLLoss of log_softmax (setting: label smoothing, as CROSSENTROPY). No clip: o is the
 * logarithm already; a class with t = 0 adds nothing, even where o is −∞.
 */
const LOG_PROBABILITY_CROSSENTROPY = 8;
/**
 * Keras's KL divergence, summed over the row: t·log(t/o), t and o both clipped to [1e-7, 1] (the
 * clipped t multiplies too, as in Keras; TF.js multiplies by t unclipped, up to ε·ln(1/ε) ≈ 1.6e-6 apart for each target of 0).
 */
const KL_DIVERGENCE = 9;
/** o − t·log(o + 1e-7): the Poisson negative log-likelihood, but for the constant log t!. */
const POISSON = 10;
/** log cosh(o − t), as |x| + log(1 + e^−2|x|) − log 2, which never overflows. */
const LOG_COSH = 11;
/** (log(max(o, 1e-7) + 1) − log(max(t, 1e-7) + 1))². */
const SQUARED_LOGARITHMIC_ERROR = 12;
/** 100·|t − o| / max(|t|, 1e-7): a percentage of the target. */
const ABSOLUTE_PERCENTAGE_ERROR = 13;

/** Keras's epsilon (backend.epsilon()), the floor of the clips of the losses above. */
const EPSILON: f32 = 1e-7;

/** Whether every target is 0 or 1: such a batch is read as −1/1 by the hinges. */
function binaryTargets(targets: usize, length: i32): bool {
  for (let i = 0; i < length; i++) {
    const t = load<f32>(targets + (<usize>i << 2));
    if (t != 0 && t != 1) return false;
  }
  return true;
}

/** The target as the loss reads it: hinge targets turned −1/1, cross-entropy targets smoothed. */
// @ts-ignore: decorator
@inline function target(kind: i32, t: f32, setting: f32, cols: i32, convert: bool): f32 {
  if (kind == HINGE || kind == SQUARED_HINGE) return convert ? 2 * t - 1 : t;
  if (kind == CROSSENTROPY || kind == LOG_PROBABILITY_CROSSENTROPY) return smoothed(t, setting, cols);
  if (kind == BINARY_CROSSENTROPY || kind == SIGMOID_CROSSENTROPY) return smoothed(t, setting, 2);
  return t;
}

/** The loss of one output o (the logit for SIGMOID_CROSSENTROPY) against its target t. */
// @ts-ignore: decorator
@inline function outputLossOf(kind: i32, o: f32, t: f32, setting: f32): f64 {
  switch (kind) {
    case CROSSENTROPY: return -<f64>t * Math.log(clip(o));
    case LOG_PROBABILITY_CROSSENTROPY: return t == 0 ? 0 : -<f64>t * o;
    case HALF_SQUARED_ERROR: {
      const error = <f64>o - t;
      return 0.5 * error * error;
    }
    case ABSOLUTE_ERROR: return Math.abs(<f64>(o - t));
    case HUBER: {
      const size = Math.abs(<f64>(o - t));
      return size <= setting ? 0.5 * size * size : setting * size - 0.5 * <f64>setting * setting;
    }
    case HINGE: return max<f64>(1 - <f64>(t * o), 0);
    case SQUARED_HINGE: {
      const margin = max<f64>(1 - <f64>(t * o), 0);
      return margin * margin;
    }
    case BINARY_CROSSENTROPY: {
      const p = <f64>clip(o);
      return -(t * Math.log(p) + (1 - <f64>t) * Math.log(1 - p));
    }
    case KL_DIVERGENCE: {
      const clippedT = <f64>min(max(t, EPSILON), 1);
      return clippedT * Math.log(clippedT / <f64>min(max(o, EPSILON), 1));
    }
    case POISSON: return <f64>o - <f64>t * Math.log(<f64>(o + EPSILON));
    case LOG_COSH: {
      const size = Math.abs(<f64>(o - t));
      return size + Math.log1p(Math.exp(-2 * size)) - Math.LN2;
    }
    case SQUARED_LOGARITHMIC_ERROR: {
      const error = Math.log1p(<f64>max(o, EPSILON)) - Math.log1p(<f64>max(t, EPSILON));
      return error * error;
    }
    case ABSOLUTE_PERCENTAGE_ERROR: return 100 * Math.abs(<f64>(t - o)) / <f64>max(Mathf.abs(t), EPSILON);
    default: {
      const z = <f64>o;
      return max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
    }
  }
}

/** σ(z) without overflow: e^z is computed only for z < 0. */
// @ts-ignore: decorator
@inline function sigmoid(z: f32): f32 {
  if (z >= 0) return 1 / (1 + Mathf.exp(-z));
  const e = Mathf.exp(z);
  return e / (1 + e);
}

/** The loss's slope with respect to o (to the logit, given the sigmoid's output `probability`); 0 at a kink or outside a clip. */
// @ts-ignore: decorator
@inline function outputSlope(kind: i32, o: f32, t: f32, setting: f32, probability: f32): f32 {
  switch (kind) {
    case CROSSENTROPY: return inClip(o) ? -t / o : 0;
    case LOG_PROBABILITY_CROSSENTROPY: return -t;
    case HALF_SQUARED_ERROR: return o - t;
    case ABSOLUTE_ERROR: return o > t ? 1 : o < t ? -1 : 0;
    case HUBER: {
      const error = o - t;
      return Mathf.abs(error) <= setting ? error : error > 0 ? setting : -setting;
    }
    case HINGE: return 1 - t * o > 0 ? -t : 0;
    case SQUARED_HINGE: {
      const margin: f32 = 1 - t * o;
      return margin > 0 ? -2 * margin * t : 0;
    }
    case BINARY_CROSSENTROPY: return inClip(o) ? -(t / o - (1 - t) / (1 - o)) : 0;
    case KL_DIVERGENCE: return o >= EPSILON && o <= 1 ? -min(max(t, EPSILON), 1) / o : 0;
    case POISSON: return 1 - t / (o + EPSILON);
    case LOG_COSH: return Mathf.tanh(o - t);
    case SQUARED_LOGARITHMIC_ERROR: {
      if (o < EPSILON) return 0;
      const error = <f32>(Math.log1p(<f64>o) - Math.log1p(<f64>max(t, EPSILON)));
      return 2 * error / (1 + o);
    }
    case ABSOLUTE_PERCENTAGE_ERROR: return o > t ? 100 / max(Mathf.abs(t), EPSILON) : o < t ? -100 / max(Mathf.abs(t), EPSILON) : 0;
    default: return probability - t;
  }
}

/**
 * Loss `kind` (a code above) of `outputs` against `targets`, [rows, cols]: per row the sum or the
 * mean of its outputs' scores, averaged over rows; dOutputs = slope/rows, or slope/(cols·rows) for a
 * mean. For SIGMOID_CROSSENTROPY, `logits` holds z and `outputs` σ(z) (or 0: σ(z) is computed), and
 * dOutputs is the gradient with respect to the logits; otherwise logits is 0. Row weights (when
 * `rowWeights` ≠ 0) scale each row's loss and gradient.
 */
export function outputLoss(kind: i32, outputs: usize, logits: usize, targets: usize, dOutputs: usize, rows: i32, cols: i32,
  setting: f32, rowWeights: usize): f64 {
  const convert = (kind == HINGE || kind == SQUARED_HINGE) && binaryTargets(targets, rows * cols);
  const summed = kind == CROSSENTROPY || kind == LOG_PROBABILITY_CROSSENTROPY || kind == HALF_SQUARED_ERROR || kind == KL_DIVERGENCE;
  const scored = kind == SIGMOID_CROSSENTROPY ? logits : outputs;
  const count: f32 = summed ? <f32>rows : <f32>cols * <f32>rows;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const weight = rowWeight(rowWeights, r);
    let rowLoss: f64 = 0;
    for (let i = start; i < start + cols; i++) {
      const at = <usize>i << 2;
      const o = load<f32>(scored + at), t = target(kind, load<f32>(targets + at), setting, cols, convert);
      rowLoss += outputLossOf(kind, o, t, setting);
      if (dOutputs == 0) continue;
      const probability = outputs != 0 ? load<f32>(outputs + at) : sigmoid(o);
      store<f32>(dOutputs + at, outputSlope(kind, o, t, setting, probability) / count * weight);
    }
    total += (summed ? rowLoss : rowLoss / cols) * weight;
  }
  return total / rows;
}
