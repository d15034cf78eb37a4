// predict, evaluate and activations: the graph run forward in inference mode over a dataset in
// batches, reading the examples where they lie, into buffers planned once per batch size.
import { getBackend } from '../backend/wasm.js';
import { ShapeError } from '../errors.js';
import type { Shape } from '../shape.js';
import { type Tensor, emptyTensor } from '../tensor.js';
import { type BatchBuffers, copyRows, rowAddress } from './batch-buffers.js';
import { checkBatchSize } from './data-checks.js';
import type { GraphExecutor } from './executor.js';
import type { Evaluation } from './fit-loop.js';
import { withKerasNames } from './log-names.js';
import { type Loss, type OutputRows, computeLoss, prepareTargets } from './losses.js';
import type { MetricSet } from './metric-set.js';
import type { SampleWeights } from './sample-weights.js';

/**
 * Examples per kernel thread that predict and evaluate run at once, whatever batchSize asks: each
 * layer's output then stays in the core's cache for the next layer (about 5% faster at batch 256
 * than one pass over the whole batch). Every example's result is the same in any batch.
 */
const INFERENCE_CHUNK = 32;

/** Runs the inference passes of one call, with whatever set-up they need around them. */
export type Around = (passes: () => void) => void;
const runPlainly: Around = (passes) => passes();

/** The passes inside `around`, the weights held for them (nothing writes weights until predict or evaluate returns). */
const holdWeights = (around: Around, passes: () => void) => around(() => getBackend().parallel.conv2d.holdWeights(passes));

export class Inference {
  /** Reused: the examples' addresses for one forward pass. */
  private readonly inputs: number[];
  private readonly outputSizes: number[];

  constructor(private readonly executor: GraphExecutor, private readonly buffers: BatchBuffers,
    inputCount: number, private readonly outputShapes: Shape[], private readonly nodeShapes: Shape[]) {
    this.inputs = new Array<number>(inputCount).fill(0);
    this.outputSizes = outputShapes.map((s) => s.reduce((a, b) => a * b, 1));
  }

  /**
   * A new tensor [n, ...shape] per output. `around` runs the passes once the layers are planned
   * (predict({ foldBatchNorm }) folds the normalisations for their duration).
   */
  predict(xs: Tensor[], n: number, batchSize: number, around: Around = runPlainly): Tensor[] {
    checkBatchSize(batchSize, 'predict');
    const batch = this.batchFor(batchSize, Math.max(n, 1));
    // The layers alone: the examples are read in place, and there are no targets.
    this.executor.plan(batch);
    const results = this.outputShapes.map((shape) => emptyTensor([n, ...shape]));
    holdWeights(around, () => {
      for (let from = 0; from < n; from += batch) {
        const size = Math.min(batch, n - from);
        this.run(xs, from, size);
        const memory = getBackend().memory;
        results.forEach((result, o) => {
          const cols = this.outputSizes[o];
          memory.copyFloats(result.ptr + from * cols * 4, this.executor.output(o), size * cols);
        });
      }
    });
    return results;
  }

  /**
   * Mean loss and metrics of the (one) output against y on examples first … first + n − 1; `around`
   * as for predict.
   */
  evaluate(xs: Tensor[], y: Tensor, first: number, n: number, batchSize: number, scoring: Scoring,
    around: Around = runPlainly): Evaluation {
    if (n === 0) throw new ShapeError('evaluate: the dataset is empty');
    checkBatchSize(batchSize, 'evaluate');
    const batch = this.batchFor(batchSize, n);
    // The layers and the targets: the examples are read in place.
    this.executor.plan(batch);
    try {
      // Weights need the loss rows' weights buffer, which comes with the examples' buffers.
      if (scoring.weights) this.buffers.plan(batch);
      else this.buffers.planTargets(batch);
    } catch (error) {
      this.executor.restorePlans();
      throw error;
    }
    scoring.start();
    holdWeights(around, () => {
      for (let from = first; from < first + n; from += batch) {
        const size = Math.min(batch, first + n - from);
        copyRows(y, this.buffers.target, undefined, from, size);
        scoring.weights?.fill(this.buffers.rowWeights, undefined, from, size);
        for (let i = 0; i < xs.length; i++) this.inputs[i] = rowAddress(xs[i], from);
        this.score(this.inputs, size, scoring);
      }
    });
    return scoring.result();
  }

  /**
   * Runs the examples at `inputs` forward and scores them against the targets in the batch buffer
   * (as gathered, not yet prepared). The buffers must hold `size` examples.
   */
  score(inputs: readonly number[], size: number, scoring: Scoring): void {
    const target = this.buffers.target;
    scoring.prepareTargets(target, size);
    this.executor.forward(inputs, size, false);
    scoring.add(this.executor.output(0), target, size, scoring.weights ? this.buffers.rowWeights : 0);
  }

  /** Every computing node's output for the n examples, in node order: run in chunks as predict runs, so the model keeps buffers for a chunk only. */
  activations(xs: Tensor[], n: number): Tensor[] {
    this.executor.keepEveryOutput();
    const chunk = Math.max(this.batchFor(n, n), 1);
    this.executor.plan(chunk);
    const outputs = this.nodeShapes.map((shape) => emptyTensor([n, ...shape]));
    const memory = getBackend().memory;
    for (let from = 0; from < n; from += chunk) {
      const size = Math.min(chunk, n - from);
      for (let i = 0; i < xs.length; i++) this.inputs[i] = rowAddress(xs[i], from);
      this.executor.forward(this.inputs, size, false, true);
      outputs.forEach((t, i) => {
        const row = t.size / n;
        memory.copyFloats(t.ptr + from * row * 4, this.executor.nodeOutput(i), size * row);
      });
    }
    return outputs;
  }

  /** Examples per forward pass: batchSize, n and the chunk cap it. */
  private batchFor(batchSize: number, n: number): number {
    return Math.min(batchSize, n, INFERENCE_CHUNK * getBackend().threads);
  }

  /** Forward in inference mode on examples from … from+size (read in place, read-only). */
  private run(xs: Tensor[], from: number, size: number): void {
    for (let i = 0; i < xs.length; i++) this.inputs[i] = rowAddress(xs[i], from);
    this.executor.forward(this.inputs, size, false);
  }
}

/**
 * The sums of one evaluation: the loss over the examples, and the metrics. `logits` gives the fused
 * output activation's input after each forward pass (0 when the loss takes the output as it is).
 */
export class Scoring {
  private lossSum = 0;
  private examples = 0;

  /** `rows`: how the loss reads each example's output; `weights`: the examples' sample weights, which weigh the loss (not the metrics). */
  constructor(private readonly loss: Loss, private readonly rows: OutputRows, private readonly logits: () => number,
    private readonly metrics: MetricSet, readonly weights?: SampleWeights) {}

  start(): void {
    this.lossSum = this.examples = 0;
    this.metrics.reset();
  }

  /** Readies the targets of `size` examples, as gathered, for the loss (class ids one-hot). */
  prepareTargets(target: number, size: number): void {
    prepareTargets(this.loss, target, size, this.rows);
  }

  /** Adds the loss and metrics of `size` examples' outputs against their prepared targets (the loss rows weighed by `rowWeights` when ≠ 0). */
  add(output: number, target: number, size: number, rowWeights = 0): void {
    this.lossSum += computeLoss(this.loss, output, this.logits(), target, 0, size, this.rows, rowWeights) * size;
    this.examples += size;
    this.metrics.add(output, target, size);
  }

  get count(): number {
    return this.examples;
  }

  /** Mean loss, accuracy (evaluate's name for it) and the other metrics. */
  result(): Evaluation {
    const result = { loss: this.lossSum / this.examples } as Evaluation;
    this.metrics.write(result, '', 'accuracy');
    return withKerasNames(result, 'evaluation');
  }
}
