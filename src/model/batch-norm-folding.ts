// predict({ foldBatchNorm: true }): a BatchNormalization that directly follows a convolution (its
// only reader) is, in inference mode, an affine map per channel, which folds into the convolution's
// weights: kernel·scale per output channel, (bias − mean)·scale + β. The convolution then runs with a
// folded copy of its weights (ChannelAffineFolding) and the normalisation passes its input on, one
// pass over memory fewer per pair. The folds are made from the current weights at each call and
// undone after it, so the model, its training and its files never see them.
import { BatchNormalization } from '../layers/batch-normalization.js';
import { type ChannelAffineFolding, foldsChannelAffine } from '../layers/channel-affine-folding.js';
import type { Layer } from '../layers/layer.js';
import type { SymbolicTensor } from '../layers/node.js';
import type { Graph } from './graph.js';

export interface FoldPair {
  producer: Layer & ChannelAffineFolding;
  normalization: BatchNormalization;
}

/** The normalisations of `graph` whose input only they read, made by a layer that can fold them, and no output of the graph. */
export function foldPairs(graph: Graph): FoldPair[] {
  const readers = new Map<SymbolicTensor<Layer>, number>();
  for (const node of graph.nodes) for (const t of node.inputs) readers.set(t, (readers.get(t) ?? 0) + 1);
  return graph.nodes.flatMap((node) => {
    const [input] = node.inputs;
    const producer = input.sourceLayer;
    if (!(node.layer instanceof BatchNormalization) || !foldsChannelAffine(producer)) return [];
    if (readers.get(input) !== 1 || graph.outputs.includes(input)) return [];
    return [{ producer, normalization: node.layer }];
  });
}

/** Runs `run` with every pair folded that its producer accepts (layers planned already), and unfolds them after. */
export function withFolds<T>(pairs: readonly FoldPair[], run: () => T): T {
  const folded: FoldPair[] = [];
  try {
    for (const pair of pairs) {
      const { centre, scale, shift } = pair.normalization.inferenceAffine();
      if (!pair.producer.foldChannelAffine(centre, scale, shift)) continue;
      pair.normalization.foldedIntoInput = true;
      folded.push(pair);
    }
    return run();
  } finally {
    for (const { producer, normalization } of folded) {
      producer.foldChannelAffine(0, 0, 0);
      normalization.foldedIntoInput = false;
    }
  }
}
