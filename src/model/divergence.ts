// When a training loss means the run has diverged. A NaN or infinite loss always does. So does an
// exploding one: a batch's loss above `factor` times the loss the training started from (the first
// batch since compile, taken as at least 1, so a model that starts nearly perfect keeps room), or
// above `maxLoss`. Measured on the digits, a learning rate of 100 sends the second batch's loss to
// 1e4–1e13 times the first, while healthy runs of every optimizer stayed within 2.3 times it: the
// default factor of 100 sits far from both. With fit's sampleWeight the bound is also multiplied by
// the largest weight: a weighted batch loss is up to that many times an unweighted one.
import { ConfigError } from '../errors.js';
import { shownValue } from '../shown-value.js';
import { checkKeys, checkNumber } from './settings.js';

export interface DivergenceOptions {
  /** A batch loss above factor × max(the first batch's loss since compile, 1) is a divergence (default 100, at least 1). */
  factor?: number;
  /** A batch loss above this is a divergence (default: no such bound). */
  maxLoss?: number;
}

export const DEFAULT_DIVERGENCE_FACTOR = 100;

/** The loss of the first batch since compile: what an exploding loss is measured against. */
export class LossReference {
  value?: number;
}

export class DivergenceCheck {
  private readonly factor: number;
  private readonly maxLoss: number;

  /**
   * `options` is fit's `divergence`: settings, or false to stop only on NaN and infinite values.
   * `largestWeight`: fit's largest sampleWeight, by which a healthy batch's weighted loss may exceed
   * an unweighted one (a batch of a rare class weighed 150), so the bound grows with it.
   */
  constructor(options: DivergenceOptions | false | undefined, private readonly reference: LossReference, private readonly largestWeight = 1) {
    if (options === false) {
      this.factor = this.maxLoss = Infinity;
      return;
    }
    if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
      throw new ConfigError(`fit: divergence must be { factor, maxLoss } or false, got ${shownValue(options)}`);
    }
    const given = options ?? {};
    checkKeys('fit: divergence', given, ['factor', 'maxLoss']);
    this.factor = given.factor === undefined ? DEFAULT_DIVERGENCE_FACTOR : checkNumber('fit: divergence', 'factor', given.factor, 'at least one');
    this.maxLoss = given.maxLoss === undefined ? Infinity : checkNumber('fit: divergence', 'maxLoss', given.maxLoss, 'positive');
  }

  /** What is wrong with a batch's loss, for the DivergenceError; undefined when training may go on. */
  problem(loss: number): string | undefined {
    if (!Number.isFinite(loss)) return `the loss became ${loss}`;
    this.reference.value ??= loss;
    const weighed = Math.max(this.largestWeight, 1);
    const bound = this.factor * Math.max(this.reference.value, 1) * weighed;
    if (loss > this.maxLoss) return `the loss reached ${loss.toPrecision(3)}, over divergence.maxLoss ${this.maxLoss}`;
    if (loss > bound) {
      const first = this.reference.value.toPrecision(3);
      const base = this.reference.value >= 1 ? `the first batch's loss since compile, ${first}` : `1 (the first batch's loss since compile, ${first}, raised to 1)`;
      const weights = weighed > 1 ? ` × the largest sampleWeight, ${weighed}` : '';
      return `the loss exploded to ${loss.toPrecision(3)}, over ${bound.toPrecision(3)} = divergence.factor ${this.factor} × ${base}${weights}`;
    }
    return undefined;
  }
}
