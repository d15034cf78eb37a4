// `convas predict`: the class and every class probability for each image file.
import { readGreyImage } from '../data/image-node.js';
import { toModelInput } from '../data/image.js';
import { ConfigError } from '../errors.js';
import { loadModel } from '../io/load.js';
import { argmaxRows } from '../metrics.js';
import { tensor } from '../tensor.js';

export async function predict(options: { model: string; files: string[] }, print: (text: string) => void): Promise<void> {
  const model = await loadModel(options.model);
  const [height, width, channels] = model.inputShape;
  if (model.inputShape.length !== 3 || channels !== 1) {
    throw new ConfigError(`${options.model}: the model takes inputs of shape [${model.inputShape}]; predict reads greyscale images, [height, width, 1]`);
  }
  const inputs = await Promise.all(options.files.map(async (file) => toModelInput(await readGreyImage(file), { height, width })));
  const x = tensor(concat(inputs.map((i) => i.input)), [inputs.length, height, width, 1]);
  const output = model.predict(x);
  const probabilities = output.dataSync();
  const classes = output.size / inputs.length;
  const predicted = argmaxRows(probabilities, classes);
  x.dispose();
  output.dispose();
  const nameWidth = Math.max(...options.files.map((f) => f.length));
  options.files.forEach((file, i) => {
    const row = Array.from(probabilities.subarray(i * classes, (i + 1) * classes), (p, c) => `${c}: ${p.toFixed(3)}`);
    const note = inputs[i].inverted ? '  (inverted: dark on light)' : '';
    print(`${file.padEnd(nameWidth)}  class ${predicted[i]}   ${row.join('  ')}${note}`);
  });
}

function concat(arrays: Float32Array[]): Float32Array {
  const joined = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  arrays.reduce((at, a) => (joined.set(a, at), at + a.length), 0);
  return joined;
}
