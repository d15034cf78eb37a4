// The text of `convas --help`.
import { LOSSES, OPTIMIZERS, TRAIN_DEFAULTS } from './args.js';

export const USAGE = `convas: convolutional neural networks on WebAssembly SIMD

Usage:
  convas train [options]                 train a CNN, test it on held-out images, save it
  convas evaluate --model DIR [--data DIR]
                                         accuracy and confusion matrix of a saved model
  convas predict --model DIR FILE...     class and probabilities for PNG or PGM images
                                         (--model also takes an .onnx file, as from PyTorch)
  convas --help

Data: without --data, the 10,000 digits of the bundled mnist package, split 8,000 for training and
2,000 held out for testing (the same split every time). --data DIR reads MNIST-format IDX files
(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
optionally .gz); image size and classes come from the files.

Train options:
  --epochs N             passes over the training images (default ${TRAIN_DEFAULTS.epochs})
  --batch-size N         images per gradient step (default ${TRAIN_DEFAULTS.batchSize})
  --optimizer NAME       ${OPTIMIZERS.join(' | ')} (default ${TRAIN_DEFAULTS.optimizer})
  --learning-rate X      step size (default 0.001 for adam, 0.01 for sgd and momentum)
  --loss NAME            ${LOSSES.join(' | ')} (default ${TRAIN_DEFAULTS.loss})
  --seed N               seeds weights and shuffling: the same seed gives the same model (default ${TRAIN_DEFAULTS.seed})
  --shift N              shift training images by up to N pixels, anew each epoch (default ${TRAIN_DEFAULTS.shift}; 0: none)
  --model FILE           architecture JSON: { "inputShape"?: [h, w, 1], "layers": [{ "className": "Conv2D", ... }] }
                         (default: a LeNet-style CNN)
  --data DIR             IDX files to train and test on
  --out DIR              where to save the trained model (default ./${TRAIN_DEFAULTS.out})

Exit codes: 0 success, 1 bad data, model or file, 2 bad command line.
`;
