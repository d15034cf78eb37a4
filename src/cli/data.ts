// The images a command works on: the digits bundled with the `mnist` package (split 8,000 / 2,000
// with the fixed default seed, so `train` and `evaluate` agree on the held-out set), or IDX files.
import { type Dataset, oneHot } from '../data/dataset.js';
import { loadIdxDirectory } from '../data/idx-node.js';
import { loadBundledDigits } from '../data/mnist-node.js';
import { type Tensor, tensor } from '../tensor.js';

export interface LoadedData {
  train: Dataset;
  test: Dataset;
  /** For messages: "the bundled digits" or the directory. */
  source: string;
}

export async function loadData(dir: string | undefined): Promise<LoadedData> {
  if (dir === undefined) return { ...(await loadBundledDigits()), source: 'the bundled mnist digits' };
  return { ...(await loadIdxDirectory(dir)), source: dir };
}

/** Images as [count, height, width, channels]. */
export function imagesTensor(data: Dataset): Tensor {
  return tensor(data.images, [data.count, data.height, data.width, data.channels]);
}

/** Labels one-hot, as [count, classes]. */
export function labelsTensor(data: Dataset): Tensor {
  return tensor(oneHot(data.labels, data.classes), [data.count, data.classes]);
}
