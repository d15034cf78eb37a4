// A MobileNet built with random weights (bench/mobilenet-keras.mjs) predicts the same features for
// every image: its batch normalisations divide by statistics that are not its activations', so the
// signal fades layer after layer. Calibrating them on pictures — each BatchNormalization's moving
// mean and variance set to its input's statistics over those pictures, layer after layer, as a
// trained network's are — makes a base whose features tell pictures apart, as a pretrained one's
// do, without any pretrained weights.

/**
 * Sets the moving statistics of every BatchNormalization of `model` (a tfjs-layers model whose
 * layers are each applied once) from `images` (a tf.Tensor [n, height, width, channels]) in one
 * pass through the layers, in their order. Gamma and beta are left as they are.
 */
export function calibrateBatchNorm(tf, model, images) {
  tf.tidy(() => {
    const outputs = new Map();
    for (const layer of model.layers) {
      if (layer.getClassName() === 'InputLayer') {
        outputs.set(layer.name, images);
        continue;
      }
      const inputs = layer.inboundNodes[0].inboundLayers.map((l) => outputs.get(l.name));
      const x = inputs.length === 1 ? inputs[0] : inputs;
      if (layer.getClassName() === 'BatchNormalization') {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        const [gamma, beta] = layer.getWeights();
        layer.setWeights([gamma, beta, mean, variance]);
      }
      outputs.set(layer.name, layer.apply(x));
    }
  });
}
