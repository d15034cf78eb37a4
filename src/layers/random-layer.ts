// A layer with a random stream of its own (dropout masks, augmentations), seeded from the model's
// when it is built. Its place is the layer's randomState, which the model saves, so a resumed
// run draws what an unbroken one would.
import { type Random, seededRandom } from '../random.js';
import { type InferenceOutput, Layer } from './layer.js';

export abstract class RandomLayer extends Layer {
  protected stream!: Random;

  protected initRandom(rng: Random): void {
    this.stream = seededRandom(rng.seed());
  }

  /** A value drawn uniformly from [lower, upper). */
  protected uniform(lower: number, upper: number): number {
    return lower + (upper - lower) * this.stream.next();
  }

  /** Keras's random layers hand their input on in inference (RandomCrop, which resizes, says otherwise). */
  get inferenceOutput(): InferenceOutput {
    return 'input';
  }

  /** Where the layer's stream is (Model.randomState gathers these). */
  get randomState(): number {
    return this.stream.state;
  }

  set randomState(value: number) {
    this.stream.state = value;
  }
}
