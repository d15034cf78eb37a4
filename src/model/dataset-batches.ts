// fitDataset's batches: read from any dataset (data/stream.ts) one at a time, checked (naming the
// batch), and copied into the model's batch buffers, which grow to the largest batch seen and are
// reused: however many batches flow through, wasm memory holds one. A Tensor a dataset yields is
// disposed once it is copied, as TF.js's fitDataset disposes its batches (yield new tensors, or
// plain arrays, on each pass). Without batchesPerEpoch each epoch is one pass over the dataset;
// with it, epochs read on through one pass (TF.js's meaning).
import { getBackend } from '../backend/wasm.js';
import { ConfigError, ShapeError, StateError } from '../errors.js';
import { type BatchValue, type Dataset, Pass, type ShapedArray, disposeTensorsOf } from '../data/stream.js';
import { type Shape, formatShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import type { BatchBuffers } from './batch-buffers.js';
import type { TrainedModel } from './callbacks.js';
import { checkClassIdShape, checkClassIdsAt, checkFiniteAt, classIdShape, fitsTargets } from './data-checks.js';
import type { BatchSource } from './fit-loop.js';
import type { Loss } from './losses.js';
import type { TrainStep } from './train-step.js';

export type { Batch, BatchValue, Dataset, ShapedArray } from '../data/stream.js';

type Iter = Iterator<unknown> | AsyncIterator<unknown>;

/** A value of a batch as read: its batch-first shape and where its values are. */
interface Described {
  shape: number[];
  value: BatchValue;
}

/** A batch whose shapes fit the model, not yet copied into its buffers. */
export interface CheckedBatch {
  inputs: Described[];
  targets: Described;
  n: number;
  /** Names the batch in errors. */
  what: string;
  /** The batch as the dataset gave it. */
  given: unknown;
}

const inputName = (several: boolean, i: number) => (several ? `xs[${i}]` : 'xs');

/** Copies a dataset's batches into a model's batch buffers, checking each against the model. */
export class BatchReader {
  constructor(private readonly buffers: BatchBuffers, private readonly plan: (capacity: number) => void,
    private readonly inputShapes: Shape[], private readonly outputShape: Shape, private readonly loss: Loss, private readonly who: string) {}

  /** Copies `batch` into the buffers (targets as given, not yet prepared) and returns its size; `where` names it in errors. */
  read(batch: unknown, where: string): number {
    const checked = this.check(batch, where);
    this.load(checked);
    return checked.n;
  }

  /** `batch` checked against the model's inputs and output, not yet copied; `where` names it in errors. */
  check(batch: unknown, where: string): CheckedBatch {
    const what = `${this.who}: ${where}`;
    if (!batch || typeof batch !== 'object' || !('xs' in batch) || !('ys' in batch)) {
      throw new ShapeError(`${what} is not { xs, ys }; a dataset yields batches of inputs xs and targets ys`);
    }
    const { xs: given, ys } = batch as { xs: unknown; ys: unknown };
    const several = this.inputShapes.length > 1;
    if (several && (!Array.isArray(given) || given.length !== this.inputShapes.length)) {
      throw new ShapeError(`${what}: the model has ${this.inputShapes.length} inputs; xs must be a list of ${this.inputShapes.length} values`);
    }
    const xs = several ? (given as unknown[]) : [given];
    const inputs = xs.map((x, i) => this.describe(x, this.inputShapes[i], inputName(several, i), what));
    const n = inputs[0].shape[0];
    inputs.forEach((x, i) => {
      if (x.shape[0] !== n) throw new ShapeError(`${what}: xs[0] has ${n} examples but xs[${i}] has ${x.shape[0]}`);
    });
    const targets = this.describe(ys, this.loss.sparse ? classIdShape(this.outputShape) : this.outputShape, 'ys', what);
    if (targets.shape[0] !== n) throw new ShapeError(`${what}: xs has ${n} examples but ys has ${targets.shape[0]}; they must have the same length`);
    return { inputs, targets, n, what, given: batch };
  }

  /** Copies a checked batch into the buffers (targets as given, not yet prepared), checking its values. */
  load({ inputs, targets, n, what }: CheckedBatch): void {
    const several = inputs.length > 1;
    this.plan(n);
    inputs.forEach((x, i) => this.copy(x.value, this.buffers.inputs[i], n * sizeOf(this.inputShapes[i]), inputName(several, i), what));
    this.copy(targets.value, this.buffers.target, sizeOf(targets.shape), 'ys', what);
    if (this.loss.sparse) checkClassIdsAt(this.buffers.target, targets.shape, this.outputShape, this.loss.type, what);
  }

  /** A value's batch-first shape, checked against the example shape the model takes. */
  private describe(value: unknown, example: Shape, name: string, what: string): Described {
    const size = Math.max(sizeOf(example), 1);
    let shape: number[];
    if (value instanceof Tensor) {
      if (value.isDisposed) {
        throw new StateError(`${what}: ${name} is a tensor already disposed: fitDataset disposes a batch's tensors once it has read them ` +
          '(as TF.js does); a dataset read more than once must yield new tensors on each pass, or plain arrays');
      }
      shape = [...value.shape];
    }
    else if (isShaped(value)) {
      if (!(value.values instanceof Float32Array || Array.isArray(value.values)) || !Array.isArray(value.shape)) {
        throw new ShapeError(`${what}: ${name} must hold { values: Float32Array, shape }`);
      }
      shape = [...value.shape];
      if (sizeOf(shape) !== value.values.length) {
        throw new ShapeError(`${what}: ${name} has ${value.values.length} values, which do not fill its shape ${formatShape(shape)}`);
      }
    } else if (value instanceof Float32Array || Array.isArray(value)) {
      if (value.length === 0 || value.length % size !== 0) {
        throw new ShapeError(`${what}: ${name} has ${value.length} values, not a whole number of examples of ${formatShape(example)} (${size} values each)`);
      }
      shape = [value.length / size, ...example];
    } else {
      throw new ShapeError(`${what}: ${name} must be a Tensor, { values, shape }, a Float32Array or a number[], got ${value === null ? 'null' : typeof value}`);
    }
    const sparseIds = this.loss.sparse && name === 'ys';
    if (sparseIds) checkClassIdShape(shape, this.outputShape, this.loss.type, name, what);
    // Targets of the output's shape but for axes of 1 ([n] for one unit) are taken, as fit takes them.
    const targets = !this.loss.sparse && name === 'ys' && fitsTargets(shape, example);
    const fits = sparseIds || targets || (shape.length === example.length + 1 && example.every((d, i) => shape[i + 1] === d));
    if (!fits || !(shape[0] >= 1)) {
      throw new ShapeError(`${what}: ${name} has shape ${formatShape(shape)}, but the model takes ${formatShape(['n', ...example] as never)}`);
    }
    return { shape, value: value as BatchValue };
  }

  /** Copies `length` values into the buffer at `to`, checks them, and disposes a tensor once read. */
  private copy(value: BatchValue, to: number, length: number, name: string, what: string): void {
    const memory = getBackend().memory;
    if (value instanceof Tensor) {
      memory.copyFloats(to, value.ptr, length);
      value.dispose();
    } else {
      memory.heapF32.set(isShaped(value) ? value.values : value, to >>> 2);
    }
    checkFiniteAt(to, length, name, what);
  }
}

const isShaped = (v: unknown): v is ShapedArray => !!v && typeof v === 'object' && !Array.isArray(v) && 'values' in v && 'shape' in v;

/** A run's batches from a dataset, one pass per epoch or `batchesPerEpoch` at a time. */
export class DatasetBatches implements BatchSource {
  private pass?: Pass<unknown>;
  private epoch = 0;
  private read = 0;
  private passes = 0;
  private pending?: CheckedBatch;

  /** `epochs`: how many this run trains (epochs − initialEpoch), for the warning of a dataset that runs out. */
  constructor(private readonly step: TrainStep, private readonly reader: BatchReader, private readonly dataset: Dataset<unknown>,
    private readonly batchesPerEpoch: number | undefined, private readonly epochs: number, private readonly model: TrainedModel,
    private readonly who: string) {}

  async startEpoch(epoch: number): Promise<void> {
    if (!this.pass || this.batchesPerEpoch === undefined) {
      this.pass?.leave();
      this.pass = await Pass.start(this.dataset, this.who);
      this.passes++;
    }
    this.epoch = epoch;
    this.read = 0;
  }

  async nextBatch(): Promise<number> {
    if (this.read === this.batchesPerEpoch) return 0;
    const next = await this.pass!.next();
    if (next.done) {
      this.ranDry();
      return 0;
    }
    this.pending = this.reader.check(next.value, `batch ${this.read + 1} of epoch ${this.epoch + 1}`);
    this.read++;
    return this.pending.n;
  }

  loadBatch(): void {
    const batch = this.pending!;
    // Let go only once copied: a batch refused on the way (a NaN) is still release()'s to dispose.
    this.reader.load(batch);
    this.pending = undefined;
    this.step.prepareTargets(batch.n);
  }

  release(): void {
    if (this.pending) disposeTensorsOf(this.pending.given);
    this.pending = undefined;
    this.pass?.leave();
  }

  /** The pass ended: the end of an epoch, or too early for batchesPerEpoch, or a dataset that gave nothing. */
  private ranDry(): void {
    if (this.batchesPerEpoch !== undefined) {
      // As tf.keras: warn, and end training with the batches read (TF.js warns again at each epoch left).
      const needed = `${this.epochs} × ${this.batchesPerEpoch} = ${this.epochs * this.batchesPerEpoch}`;
      console.warn(`${this.who}: the dataset ran out after ${this.read} batches of epoch ${this.epoch + 1}; batchesPerEpoch is ` +
        `${this.batchesPerEpoch}, so training stops here. This run's ${this.epochs} epoch${this.epochs === 1 ? '' : 's'} ` +
        `(epochs − initialEpoch) needed ${needed} batches of it (try .repeat())`);
      this.model.stopTraining = true;
    } else if (this.read === 0) {
      throw new ConfigError(`${this.who}: the dataset gave no batches in epoch ${this.epoch + 1}` + (this.passes > 1
        ? '; it can be read only once (a generator object, an iterator): pass a data.generator(() => …), a Stream, or set batchesPerEpoch'
        : ''));
    }
  }
}
