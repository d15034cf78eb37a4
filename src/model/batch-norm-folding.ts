// predict({ foldBatchNorm: true }): a BatchNormalization that directly follows a convolution (its
// only reader) is, in inference mode, an affine map per channel, which folds into the convolution's
// weights: kernel·scale per output channel, (bias − mean)·scale + β. The convolution then runs with a
// folded copy of its weights (ChannelAffineFolding) and the normalisation passes its input on, one
// pass over memory fewer per pair. A ReLU or ReLU6 that is the normalisation's only reader (the
// MobileNets' conv → BN → ReLU6) then runs inside the convolution's kernel too, on its way out, and
// passes its input on as well. The folds are made from the current weights at each call and undone
// after it, so the model, its training and its files never see them.
import { FUSED_ACTIVATION } from '../backend/kernels.js';
import { ActivationLayer } from '../layers/activation.js';
import { appliedByKernels } from '../layers/activation-function.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { type ChannelAffineFolding, foldsChannelAffine } from '../layers/channel-affine-folding.js';
import type { Layer } from '../layers/layer.js';
import type { LayerNode, SymbolicTensor } from '../layers/node.js';
import type { Graph } from './graph.js';

export interface FoldPair {
  producer: Layer & ChannelAffineFolding;
  normalization: BatchNormalization;
  /** The ReLU or ReLU6 after the normalisation that the producer's kernel can apply, with its FUSED_ACTIVATION code. */
  activation?: { layer: ActivationLayer; code: number };
}

/**
 * The normalisations of `graph` whose input only they read, made by a layer that can fold them, and
 * no output of the graph; each with the ReLU-like activation that alone reads it, when one does.
 */
export function foldPairs(graph: Graph): FoldPair[] {
  const readers = new Map<SymbolicTensor<Layer>, LayerNode<Layer>[]>();
  for (const node of graph.nodes) for (const t of node.inputs) readers.set(t, [...(readers.get(t) ?? []), node]);
  /** The one node that reads `t`, when only one does and t is no output of the graph. */
  const onlyReader = (t: SymbolicTensor<Layer>) => (readers.get(t)?.length === 1 && !graph.outputs.includes(t) ? readers.get(t)![0] : undefined);
  return graph.nodes.flatMap((node) => {
    const [input] = node.inputs;
    const producer = input.sourceLayer;
    if (!(node.layer instanceof BatchNormalization) || !foldsChannelAffine(producer) || onlyReader(input) !== node) return [];
    const next = onlyReader(node.output)?.layer;
    const name = next instanceof ActivationLayer ? next.activation.name : 'linear';
    const activation = next instanceof ActivationLayer && appliedByKernels(name) ? { layer: next, code: FUSED_ACTIVATION[name] } : undefined;
    return [{ producer, normalization: node.layer, activation }];
  });
}

/** Runs `run` with every pair folded that its producer accepts (layers planned already), and unfolds them after. */
export function withFolds<T>(pairs: readonly FoldPair[], run: () => T): T {
  const folded: FoldPair[] = [];
  try {
    for (const pair of pairs) {
      const { centre, scale, shift } = pair.normalization.inferenceAffine();
      const { producer, activation } = pair;
      const fused = activation !== undefined && producer.foldChannelAffine(centre, scale, shift, activation.code);
      if (!fused && !producer.foldChannelAffine(centre, scale, shift)) continue;
      pair.normalization.foldedIntoInput = true;
      if (fused) activation.layer.foldedIntoInput = true;
      folded.push(pair);
    }
    return run();
  } finally {
    for (const { producer, normalization, activation } of folded) {
      producer.foldChannelAffine(0, 0, 0);
      normalization.foldedIntoInput = false;
      if (activation) activation.layer.foldedIntoInput = false;
    }
  }
}
