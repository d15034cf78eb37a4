// BatchNormalization (in inference mode, as an exporter that does not fold it writes it) → Keras's
// BatchNormalization over the channels: scale, B, mean and var are γ, β and the moving statistics.
// ONNX's momentum is Keras's (the running value keeps that share at each step), so training the
// layer in convas moves them as Keras would; a frozen layer keeps them (Keras's fine-tuning rule).
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { sameOrder } from '../layer-weight.js';
import { type TensorValue, formatDims } from '../values.js';
import { withArticle } from '../../article.js';

function batchNormalization(ctx: NodeContext): TensorValue {
  const x = ctx.tensor(0);
  if (x.dims.length !== 4 && x.dims.length !== 2) ctx.refuse(`normalises ${withArticle(`${x.dims.length}-D`)} tensor ${formatDims(x.dims)}; convas normalises images [N, C, H, W] and features [N, C]`);
  if (ctx.int('training_mode', 0) !== 0 || (ctx.node.output ?? []).filter(Boolean).length > 1) {
    ctx.refuse('is in training mode (it outputs the batch statistics); convas reads the inference form, whose running statistics are the moving ones');
  }
  if (ctx.opset < 9 && ctx.int('spatial', 1) !== 1) ctx.refuse('spatial=0 (statistics per element, not per channel) is not supported');
  ctx.ignore('is_test', 'consumed_inputs');
  const channels = x.dims[1];
  const [gamma, beta, mean, variance] = ['scale', 'B', 'mean', 'var'].map((what, k) => {
    const c = ctx.constant(k + 1, `the ${what}`);
    if (c.type !== 'float' || c.data.length !== channels) ctx.refuse(`the ${what} has dims ${formatDims(c.dims)}; expected [${channels}], one per channel`);
    return sameOrder(c.data as Float32Array);
  });
  const epsilon = ctx.float('epsilon', 1e-5), momentum = ctx.float('momentum', 0.9);
  const { layer, output } = ctx.layer(() => layers.batchNormalization({ epsilon, momentum, name: ctx.layerName() }), [x]);
  ctx.setWeights(layer, { gamma, beta, moving_mean: mean, moving_variance: variance });
  return output;
}

export const normalizationOperators: Record<string, OpEntry> = {
  BatchNormalization: { convert: batchNormalization },
};
