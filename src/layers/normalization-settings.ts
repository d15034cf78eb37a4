// The settings Keras's normalisation layers share — epsilon, center and scale — with their defaults
// and checks, and the γ and β they imply (one per channel, γ first, each absent when switched off).
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type Parameter, type WeightSpec, checkSetting } from './layer.js';

export interface AffineNormalizationOptions {
  epsilon?: number;
  /** Whether to add β (else it is absent and taken as 0). */
  center?: boolean;
  /** Whether to multiply by γ (else it is absent and taken as 1). */
  scale?: boolean;
}

/** epsilon (1e-3) > 0, center and scale (true) booleans; a ConfigError naming the layer otherwise. */
export function affineNormalizationSettings(options: AffineNormalizationOptions, layer: string): Required<AffineNormalizationOptions> {
  const epsilon = options.epsilon ?? 1e-3, center = options.center ?? true, scale = options.scale ?? true;
  checkSetting(typeof epsilon === 'number' && Number.isFinite(epsilon) && epsilon > 0, layer, `epsilon must be a positive number, got ${shownValue(options.epsilon)}`);
  checkSetting(typeof center === 'boolean', layer, `center must be true or false, got ${shownValue(options.center)}`);
  checkSetting(typeof scale === 'boolean', layer, `scale must be true or false, got ${shownValue(options.scale)}`);
  return { epsilon, center, scale };
}

/** γ (when scale) and β (when center), one per channel, in Keras's order. */
export function affineWeightSpecs({ scale, center }: { scale: boolean; center: boolean }, channels: number): WeightSpec[] {
  const shape = [channels];
  return [...(scale ? [{ name: 'gamma', shape }] : []), ...(center ? [{ name: 'beta', shape }] : [])];
}

/** The layers with γ and β as affineWeightSpecs lists them, first among their weights. */
type AffineLayer = { scale: boolean; center: boolean; params: readonly Parameter[] };

/** γ, or undefined where scale is off (no object made: read on every pass). */
export const gammaOf = ({ scale, params }: AffineLayer): Parameter | undefined => (scale ? params[0] : undefined);

/** β, or undefined where center is off. */
export const betaOf = ({ scale, center, params }: AffineLayer): Parameter | undefined => (center ? params[scale ? 1 : 0] : undefined);

/** The axis as Keras files may write a single one: n or [n]. */
export function singleAxis(axis: number | [number] | undefined): unknown {
  return Array.isArray(axis) && axis.length === 1 ? axis[0] : axis ?? -1;
}

/**
 * Checks that `axis` (Keras counts axes with the batch: the last is input.length, or −1) is the last
 * axis of `input`, the only one convas normalises over; `what` says how (e.g. 'normalises over').
 */
export function checkLastAxis(axis: number, input: Shape, layer: string, what: string): void {
  checkSetting(axis === -1 || axis === input.length, layer,
    `axis ${axis} is not the last axis of its input ${formatShape(input)} per example (batch included, axis ${input.length}, or -1); ` +
    `convas ${what} the last axis only`);
}
