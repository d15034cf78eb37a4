// Weight initialisers: uniform draws scaled by fan-in/fan-out. Uniform rather than normal so that
// only exact IEEE operations (×, +, sqrt) touch the values: bit-identical in every engine.
import type { Random } from './random.js';

/**
 * How a weight starts: drawn uniformly, scaled by its fans — He uniform (for ReLU),
 * U(−√(6/fanIn), √(6/fanIn)), or Glorot uniform, U(±√(6/(fanIn+fanOut))) — or one value throughout.
 */
export type Initializer = { fanIn: number; fanOut: number; forRelu: boolean } | number;

/** The `length` values `init` starts a weight with, drawn from `rng` where it is random. */
export function initialValuesOf(init: Initializer, length: number, rng: Random): Float32Array {
  const values = new Float32Array(length);
  if (typeof init === 'number') return values.fill(init);
  const limit = Math.sqrt(6 / (init.forRelu ? init.fanIn : init.fanIn + init.fanOut));
  for (let i = 0; i < length; i++) values[i] = (2 * rng.next() - 1) * limit;
  return values;
}

/** How many values initialValuesOf draws from the generator for a weight of `length` values. */
export const initialDraws = (init: Initializer, length: number) => (typeof init === 'number' ? 0 : length);
