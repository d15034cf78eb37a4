// Runs a graph on batches at wasm addresses. Every tensor of the graph is a slot: the model's
// inputs first, then each node's output. Forward fills the slots in node order. Backward walks the
// nodes in reverse; a slot read by several nodes (or read twice by one) gets its gradient summed
// into a buffer of its own, the contributions added in that fixed reverse order, so the bits are
// the same at any thread count. While the graph only predicts, the outputs share one block of
// memory (output-arena.ts). Nothing here allocates once the buffers are planned (but where two
// graphs that share layers predict in turn: each places their outputs again).
import { alignBytes } from '../backend/alignment.js';
import { OwnedBlocks } from '../backend/owned-blocks.js';
import { getBackend } from '../backend/wasm.js';
import { StateError } from '../errors.js';
import { Conv2D } from '../layers/conv2d.js';
import type { InferenceOutput, Layer, Parameter } from '../layers/layer.js';
import { Pool2D } from '../layers/pool2d.js';
import { ZeroPadding2D } from '../layers/borders2d.js';
import { ConvolutionLayer } from '../layers/convolution-layer.js';
import { sizeOf } from '../shape.js';
import { foldPairs } from './batch-norm-folding.js';
import type { Graph } from './graph.js';
import { planOutputArena } from './output-arena.js';

interface Step {
  layer: Layer;
  inputSlots: number[];
  /** Reused: the input addresses handed to forward. */
  inputAddresses: number[];
  outputSlot: number;
  /** Whether the call runs in inference mode in training passes too (apply(x, { training: false })). */
  inferenceMode: boolean;
  /** Set by prepare(): whether backward runs, needs input gradients, and weight gradients. */
  runsBackward: boolean;
  needsInputGradients: boolean;
  needsWeightGradients: boolean;
  /** Set for a ReLU's layer and the max pooling that alone reads its output: backward joins the two (Layer.backward). */
  reluFolded: boolean;
  /** For a conv2d, the max pooling that alone reads its output: forward may run the two as one kernel (Conv2D.forwardPooled). */
  pooling?: Step;
  /** Set on a pooling step while its output is the one its convolution wrote in this forward pass. */
  pooledByConvolution: boolean;
  /** For a ZeroPadding2D, the convolution that alone reads its output and may read its input instead (convolution-layer.ts); on that convolution, the padding. */
  absorbedInto?: Step;
  padding?: Step;
  /** Set on such a padding while the last forward pass skipped it: backward passes its gradient straight through. */
  paddingSkipped: boolean;
  /** Where the output lies in the arena's plan: 'own' there only when the arena places it. */
  placed: InferenceOutput;
}

/** A layer that runs a graph of its own (a nested model): prepare() and restorePlans() reach into it. */
interface NestedGraph {
  prepareBackward(trained: ReadonlySet<Parameter>, needInputGradients: boolean): void;
  readonly plannedLayers: readonly Layer[];
}

const nestedGraph = (layer: Layer): NestedGraph | undefined =>
  'prepareBackward' in layer ? (layer as unknown as NestedGraph) : undefined;

export class GraphExecutor {
  private readonly steps: Step[];
  /** Every layer plan() may grow, a nested model's own before the model: restorePlans() takes them back in this order. */
  readonly plannedLayers: readonly Layer[];
  /** Each of those layers' planned batch as plan() began. */
  private readonly plannedBefore: number[];
  private readonly slotSizes: number[];
  private readonly outputSlots: number[];
  /** Per slot: the address of its value in the last forward pass, and of its gradient in backward. */
  private readonly values: number[];
  private readonly gradients: number[];
  /** Per slot: how many gradients flow into it (its readers, and the loss for an output). */
  private readonly gradientSources: number[];
  private readonly received: number[];
  /** Per slot with several gradient sources: the buffer they are summed in (planned). */
  private readonly sums: number[];
  /** Per slot: whether any weight that prepare() was told to train lies upstream of it. */
  private readonly upstreamTrained: boolean[];
  private readonly inputGradients: number[];
  private capacity = 0;
  /** Set by prepareBackward: from then on plan() makes the sum buffers too. */
  private backwardPlanned = false;
  /** Whether the last prepareBackward asked for the gradients at the graph's inputs. */
  private inputGradientsAsked = false;
  /** While the graph only predicts: the block its outputs share, and the batch it was planned for. */
  private arena = 0;
  /** The sums' and the arena's memory. */
  private readonly blocks = new OwnedBlocks(this);
  private arenaCapacity = 0;
  /** Set by keepEveryOutput: every output its own memory from then on. */
  private everyOutputKept = false;
  /** The layers predict({ foldBatchNorm }) may fold into the convolution before them: they may hand their input on. */
  private readonly foldable: ReadonlySet<Layer>;

  constructor(private readonly graph: Graph) {
    const slotOf = new Map(graph.inputs.map((t, i) => [t.node, i]));
    graph.nodes.forEach((node, i) => slotOf.set(node, graph.inputs.length + i));
    const slotCount = graph.inputs.length + graph.nodes.length;
    this.slotSizes = [...graph.inputs.map((t) => sizeOf(t.shape)), ...graph.nodes.map((n) => sizeOf(n.output.shape))];
    this.steps = graph.nodes.map((node, i) => {
      const inputSlots = node.inputs.map((t) => slotOf.get(t.node)!);
      return { layer: node.layer, inputSlots, inputAddresses: inputSlots.map(() => 0), outputSlot: graph.inputs.length + i,
        inferenceMode: node.inferenceMode, runsBackward: true, needsInputGradients: true, needsWeightGradients: true, reluFolded: false, pooledByConvolution: false,
        paddingSkipped: false, placed: 'input' as InferenceOutput };
    });
    this.plannedLayers = [...new Set(this.steps.flatMap(({ layer }) => [...(nestedGraph(layer)?.plannedLayers ?? []), layer]))];
    this.plannedBefore = this.plannedLayers.map(() => 0);
    this.outputSlots = graph.outputs.map((t) => slotOf.get(t.node)!);
    this.values = new Array<number>(slotCount).fill(0);
    this.gradients = new Array<number>(slotCount).fill(0);
    this.received = new Array<number>(slotCount).fill(0);
    this.sums = new Array<number>(slotCount).fill(0);
    this.upstreamTrained = new Array<boolean>(slotCount).fill(false);
    this.gradientSources = new Array<number>(slotCount).fill(0);
    for (const step of this.steps) for (const slot of step.inputSlots) this.gradientSources[slot]++;
    for (const slot of this.outputSlots) this.gradientSources[slot]++;
    this.inputGradients = graph.inputs.map(() => 0);
    this.pairPoolings(graph.inputs.length);
    this.pairPaddings();
    this.foldable = new Set(foldPairs(graph).flatMap((pair) => [pair.normalization, ...(pair.activation ? [pair.activation.layer] : [])]));
  }

  /** Pairs each ZeroPadding2D with the convolution that alone reads its output, where that convolution can read the input instead. */
  private pairPaddings(): void {
    for (const padding of this.steps) {
      if (!(padding.layer instanceof ZeroPadding2D)) continue;
      const reader = this.gradientSources[padding.outputSlot] === 1 ? this.steps.find((s) => s.inputSlots.includes(padding.outputSlot)) : undefined;
      if (reader?.layer instanceof ConvolutionLayer && padding.inputSlots.length === 1) {
        padding.absorbedInto = reader;
        reader.padding = padding;
        reader.layer.absorbPadding(padding.layer.borders);
        padding.layer.absorb();
      } else {
        // A padding absorbed in another graph (one this graph was cut from) is read here as it is.
        padding.layer.keepOutput();
      }
    }
  }

  /**
   * Pairs each max pooling with the layer before it where the pooling is the only reader of its
   * output: with a ReLU's layer for backward, with a conv2d for forward.
   */
  private pairPoolings(inputs: number): void {
    for (const pooling of this.steps) {
      const slot = pooling.inputSlots[0];
      if (!pooling.layer.foldsInputRelu || pooling.inputSlots.length !== 1 || slot < inputs || this.gradientSources[slot] !== 1) continue;
      const before = this.steps[slot - inputs];
      if (before.layer.outputRelu) before.reluFolded = pooling.reluFolded = true;
      if (before.layer instanceof Conv2D) {
        before.pooling = pooling;
        before.layer.pairWith(pooling.layer as Pool2D);
      }
    }
    // A conv2d paired in another graph (one this graph was cut from) is read here as it is.
    for (const step of this.steps) if (step.layer instanceof Conv2D && !step.pooling) step.layer.keepOutput();
  }

  /** Plans every node's own output from now on, for forward's everyOutput (a conv2d's paired with its pooling too). */
  keepEveryOutput(): void {
    this.everyOutputKept = true;
    this.unplanArena();
    for (const step of this.steps) {
      if (step.pooling) (step.layer as Conv2D).keepOutput();
      if (step.absorbedInto) (step.layer as ZeroPadding2D).keepOutput();
    }
  }

  /** The distinct layers that compute, in node order. */
  get layers(): Layer[] {
    return this.steps.map((s) => s.layer);
  }

  /** Whether prepareBackward ran: backward's buffers are planned. */
  get backwardPrepared(): boolean {
    return this.backwardPlanned;
  }

  /** Whether backward gives the gradients at the graph's inputs, as the last prepareBackward asked. */
  get inputGradientsPrepared(): boolean {
    return this.inputGradientsAsked;
  }

  /** Makes sure every layer and sum buffer (once backward is prepared) holds batches of `capacity` examples (grows only). */
  plan(capacity: number): void {
    if (this.backwardPlanned || this.everyOutputKept) this.takeBackOutputs();
    else this.planArena(capacity);
    // Noted in place (fitDataset plans before every batch: nothing allocated for it).
    for (let i = 0; i < this.plannedLayers.length; i++) this.plannedBefore[i] = this.plannedLayers[i].plannedCapacity;
    try {
      for (const step of this.steps) step.layer.plan(capacity);
      this.planSums(capacity);
    } catch (error) {
      this.restorePlans();
      throw error;
    }
  }

  /** The buffers backward sums gradients in, for batches of `capacity` examples (grows only). */
  private planSums(capacity: number): void {
    if (capacity <= this.capacity) return;
    // The new sums first, the old ones freed only then: out of memory, the old plan stands whole.
    const slots = [...this.gradientSources.keys()].filter((slot) => this.gradientSources[slot] > 1 && this.backwardPlanned);
    const made = this.blocks.allocAll(slots.map((slot) => capacity * this.slotSizes[slot] * 4));
    this.unplanSums();
    slots.forEach((slot, i) => (this.sums[slot] = made[i]));
    this.capacity = capacity;
  }

  /**
   * Out of memory part way through the last plan() or after it (the model's batch buffers): each
   * layer grown there, a nested model's too, goes back to the batch it was planned for before
   * (another model's fit may be using that plan between its steps), the rest untouched.
   */
  restorePlans(): void {
    const grown = this.plannedLayers.map((layer, i) => ({ layer, before: this.plannedBefore[i] })).filter(({ layer, before }) => layer.plannedCapacity !== before);
    for (const { layer } of grown) layer.unplan();
    for (const { layer, before } of grown) {
      try {
        if (before > 0) layer.plan(before);
      } catch {
        // Fragmented past even the old plan: the layer stays unplanned (plans again when next asked); the first error is the one told.
      }
    }
  }

  /** Frees what the graph planned (the layers keep theirs). */
  unplan(): void {
    this.unplanSums();
    this.unplanArena();
  }

  private unplanSums(): void {
    this.sums.forEach((ptr, slot) => {
      this.blocks.free(ptr);
      this.sums[slot] = 0;
    });
    this.capacity = 0;
  }

  /**
   * Places the outputs of batches of `capacity` examples in one block (grows only), each layer's at
   * the offset output-arena.ts gives; again where another graph placed one of them since (a model
   * and one cut from it, predicting in turn).
   */
  private planArena(capacity: number): void {
    const placedElsewhere = this.steps.some((step) => step.placed !== 'input' && step.layer.outputPlacer !== this);
    if (capacity <= this.arenaCapacity && !placedElsewhere) return;
    capacity = Math.max(capacity, this.arenaCapacity);
    this.unplanArena();
    // An absorbed padding is skipped: its reader reads the padding's input in its place.
    for (const step of this.steps) {
      const own = step.layer.inferenceOutput;
      step.placed = step.absorbedInto ? 'input' : own === 'own' && this.foldable.has(step.layer) ? 'either' : own;
    }
    // A pooling's output is written by the convolution paired with it, at that step.
    const writtenAt = new Map(this.steps.flatMap((step, s) => (step.pooling ? [[step.pooling, s] as const] : [])));
    const layout = planOutputArena(
      this.steps.map((step) => ({ inputSlots: step.inputSlots, outputSlot: step.outputSlot, output: step.placed, writtenAt: writtenAt.get(step) })),
      this.slotSizes.map((size) => alignBytes(capacity * size * 4)), this.outputSlots);
    this.arena = this.blocks.alloc(layout.bytes);
    this.arenaCapacity = capacity;
    for (const step of this.steps) {
      const offset = layout.offsets[step.outputSlot];
      if (offset < 0) continue;
      const at = this.arena + offset, bytes = capacity * this.slotSizes[step.outputSlot] * 4;
      step.layer.placeOutput((length) => (length * 4 <= bytes ? at : 0), this);
    }
  }

  /** Gives the layers this graph placed their own outputs again and frees the block. */
  private unplanArena(): void {
    if (!this.arena) return;
    this.takeBackOutputs();
    this.blocks.free(this.arena);
    this.arena = this.arenaCapacity = 0;
  }

  /** Gives every layer of this graph its own output, whichever graph placed it. */
  private takeBackOutputs(): void {
    for (const step of this.steps) {
      if (step.layer.outputPlacer) step.layer.placeOutput(undefined, undefined);
      step.placed = 'input';
    }
  }

  /**
   * Decides which backward work a step needs: weight gradients only for layers with weights in
   * `trained` (frozen layers get none), input gradients only where a trained weight lies upstream
   * (or the caller needs the graph's input gradients), and no backward at all elsewhere. The layers
   * backward reaches are planned for it here, before the first step (Layer.planBackward: their input
   * gradients' buffers only where those are needed), and the others for forward in training
   * (Layer.planTraining).
   */
  prepareBackward(trained: ReadonlySet<Parameter>, needInputGradients: boolean): void {
    if (!this.backwardPlanned) {
      this.backwardPlanned = true;
      // Planned already (the model predicted first): planned again, with the sums.
      const capacity = this.capacity;
      this.unplan();
      if (capacity) this.plan(capacity);
    }
    const inputs = this.graph.inputs.length;
    this.inputGradientsAsked = needInputGradients;
    for (let slot = 0; slot < inputs; slot++) this.upstreamTrained[slot] = needInputGradients;
    for (const step of this.steps) {
      const needsInput = step.inputSlots.some((slot) => this.upstreamTrained[slot]);
      step.layer.fixTrainableForRun();
      nestedGraph(step.layer)?.prepareBackward(trained, needsInput);
      const needsWeights = step.layer.params.some((p) => trained.has(p));
      step.needsInputGradients = needsInput;
      step.needsWeightGradients = needsWeights;
      step.runsBackward = needsInput || needsWeights;
      // Every layer runs forward in training: those backward does not reach get their training buffers alone.
      if (step.runsBackward) step.layer.planBackward(needsWeights, needsInput);
      else step.layer.planTraining();
      this.upstreamTrained[step.outputSlot] = step.runsBackward;
    }
  }

  /**
   * Refuses a pass on a layer whose buffers are smaller than the batch: a plan that ran out of
   * memory in another call may have had to let them go, and a pass would write into memory that is
   * no longer the layer's.
   */
  private checkPlanned(batch: number): void {
    for (let s = 0; s < this.steps.length; s++) {
      const layer = this.steps[s].layer;
      if (layer.plannedCapacity < batch) {
        throw new StateError(`${layer.name}: its buffers hold ${layer.plannedCapacity} examples, not the batch of ${batch}: ` +
          'memory ran out while a model sharing it planned, and they could not be made again; free memory and call again');
      }
    }
  }

  /**
   * Runs every node on a batch whose inputs lie at `inputs`. A conv2d and the max pooling that alone
   * reads it run as one kernel where they can, leaving the conv2d's output unwritten, and a
   * ZeroPadding2D read by one convolution is skipped, the convolution reading its input, unless
   * `everyOutput` asks for each node's output (nodeOutput). `inferenceCall`: the graph is a model
   * whose own call runs in inference mode, and so does every node (Layer.inferenceCall).
   */
  forward(inputs: readonly number[], batch: number, training: boolean, everyOutput = false, inferenceCall = false): void {
    const { values, steps } = this;
    this.checkPlanned(batch);
    for (let i = 0; i < inputs.length; i++) values[i] = inputs[i];
    // A pass that threw between a pooled convolution and its pooling must not leave the pooling skipped.
    for (let s = 0; s < steps.length; s++) steps[s].pooledByConvolution = steps[s].paddingSkipped = false;
    for (let s = 0; s < steps.length; s++) {
      const step = steps[s];
      step.layer.inferenceCall = inferenceCall || step.inferenceMode;
      if (step.pooledByConvolution) continue;
      if (step.absorbedInto && !everyOutput) {
        // Its one reader sees the unpadded input under the padding's slot.
        values[step.outputSlot] = values[step.inputSlots[0]];
        step.paddingSkipped = true;
        continue;
      }
      for (let j = 0; j < step.inputSlots.length; j++) step.inputAddresses[j] = values[step.inputSlots[j]];
      const unpadded = step.padding !== undefined && step.padding.paddingSkipped;
      const pooling = step.pooling;
      if (pooling && !everyOutput && (step.layer as Conv2D).canPoolInto(pooling.layer as Pool2D, training)) {
        values[step.outputSlot] = 0;
        values[pooling.outputSlot] = (step.layer as Conv2D).forwardPooled(step.inputAddresses, batch, training, pooling.layer as Pool2D, unpadded);
        pooling.pooledByConvolution = true;
        continue;
      }
      values[step.outputSlot] = unpadded ? (step.layer as ConvolutionLayer).forwardUnpadded(step.inputAddresses, batch, training)
        : step.layer.forward(step.inputAddresses, batch, training);
      // The arena keeps an input only as long as its readers need it: a layer placed as writing its
      // own output must not hand one on (its inferenceOutput would be wrong).
      if (step.placed === 'own' && step.inputAddresses.includes(values[step.outputSlot])) {
        throw new StateError(`${step.layer.name}: forward handed its input on as its output, but its inferenceOutput says 'own'`);
      }
    }
  }

  /** Where output `index` of the last forward pass lies. */
  output(index: number): number {
    return this.values[this.outputSlots[index]];
  }

  /** Where the output of node `index` (in graph.nodes order) of the last forward pass lies. */
  nodeOutput(index: number): number {
    return this.values[this.graph.inputs.length + index];
  }

  /**
   * Backpropagates the gradients of the outputs (0 for an output the loss does not reach) through
   * the steps prepare() chose; returns the gradients at the graph's inputs (0 where not needed).
   */
  backward(outputGradients: readonly number[], batch: number): number[] {
    const { steps, received, gradients } = this;
    received.fill(0);
    gradients.fill(0);
    for (let i = 0; i < outputGradients.length; i++) if (outputGradients[i]) this.receive(this.outputSlots[i], outputGradients[i], batch);
    for (let s = steps.length - 1; s >= 0; s--) {
      const step = steps[s];
      const dy = gradients[step.outputSlot];
      if (!step.runsBackward || dy === 0) continue;
      if (step.paddingSkipped) {
        // Its reader's input gradient is already the unpadded input's.
        if (this.upstreamTrained[step.inputSlots[0]]) this.receive(step.inputSlots[0], dy, batch);
        continue;
      }
      const dxs = step.layer.backward(dy, batch, step.needsInputGradients, step.needsWeightGradients, step.reluFolded);
      if (!step.needsInputGradients) continue;
      for (let j = 0; j < step.inputSlots.length; j++) {
        const slot = step.inputSlots[j];
        if (this.upstreamTrained[slot]) this.receive(slot, dxs[j], batch);
      }
    }
    for (let i = 0; i < this.inputGradients.length; i++) this.inputGradients[i] = this.upstreamTrained[i] ? gradients[i] : 0;
    return this.inputGradients;
  }

  /** One gradient for a slot: passed on as it is when it is the slot's only one, else summed. */
  private receive(slot: number, gradient: number, batch: number): void {
    const sum = this.sums[slot];
    if (sum === 0) {
      this.gradients[slot] = gradient;
      return;
    }
    const length = batch * this.slotSizes[slot];
    if (this.received[slot]++ === 0) {
      getBackend().memory.copyFloats(sum, gradient, length);
      this.gradients[slot] = sum;
    } else {
      getBackend().kernels.add(sum, gradient, sum, length);
    }
  }
}
