// Weight initialisers: uniform draws scaled by fan-in/fan-out. Uniform rather than normal so that
// only exact IEEE operations (×, +, sqrt) touch the values: bit-identical in every engine.
import type { Random } from './random.js';

/** He uniform (for ReLU): U(−√(6/fanIn), √(6/fanIn)). Glorot uniform otherwise: U(±√(6/(fanIn+fanOut))). */
export function initialWeights(length: number, fanIn: number, fanOut: number, forRelu: boolean, rng: Random): Float32Array {
  const limit = Math.sqrt(6 / (forRelu ? fanIn : fanIn + fanOut));
  const values = new Float32Array(length);
  for (let i = 0; i < length; i++) values[i] = (2 * rng.next() - 1) * limit;
  return values;
}
