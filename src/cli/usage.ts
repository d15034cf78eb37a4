// The text of `convas --help`.
import { DEFAULT_IMAGE_SIZE, LOSSES, OPTIMIZERS, TRAIN_DEFAULTS, TRANSFER_DEFAULTS } from './args.js';
import { NORMALIZATIONS } from '../data/image-input.js';

export const USAGE = `convas: convolutional neural networks on WebAssembly SIMD

Usage:
  convas train [options]                 train a CNN, test it on held-out images, save it
  convas train --base DIR --cut LAYER --data DIR [options]
                                         teach a pretrained model (MobileNet…) the classes of an image folder
  convas evaluate --model DIR [--data DIR] [--threads N]
                                         accuracy and confusion matrix of a saved model (on the held-out
                                         images of its own data, or every image of other --data)
  convas predict --model DIR [--normalize X] [--threads N] FILE...
                                         class and probabilities for JPEG, PNG or PGM images
                                         (--model also takes an .onnx file, as from PyTorch)
  convas --help

Data: without --data, the 10,000 digits of the bundled mnist package, split 8,000 for training and
2,000 held out for testing (the same split every time). --data DIR reads MNIST-format IDX files
(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
optionally .gz); image size and classes come from the files. Or DIR holds one folder of images per
class (JPEG, PNG, PGM; DIR/cats/1.jpg, DIR/dogs/2.png, ...): the folder names are the classes,
every image is centre-cropped and resized to --size, and --validation-split of them (chosen with
--seed) are held out for testing. A file that cannot be read is skipped with a warning. The model
remembers the class names and how its images were prepared, for evaluate and predict.

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
  --data DIR             IDX files or class folders of images to train and test on
  --out DIR              where to save the trained model, and a checkpoint after every epoch (default ./${TRAIN_DEFAULTS.out});
                         it replaces only a model an earlier run of convas train finished there
  --resume DIR           continue a stopped run (Ctrl-C, a crash) from its last checkpoint in DIR, with the settings
                         it was started with (only --epochs, a new total, and --threads may be given); it ends
                         with the same model as if it had never stopped
  --threads N|auto       kernel threads (default ${TRAIN_DEFAULTS.threads}; auto: one per core, at most 8); also for evaluate, predict
  --format convas|tfjs   the saved model's format (default ${TRAIN_DEFAULTS.format}; tfjs: a TensorFlow.js LayersModel)
  --patience N           early stopping: score the held-out images after every epoch and stop once their loss has
                         not fallen for N epochs (0: at the first epoch it does not fall); the model keeps the weights of the epoch with the lowest held-out
                         loss (also when no stop came), which best/ in --out holds too, except with --base (Keras's
                         EarlyStopping on val_loss with restore_best_weights). The held-out images then both choose
                         the epoch and score it, so the test accuracy reported is somewhat optimistic (default: no
                         early stopping)

Image folder options:
  --size N | HxW         the size images are made (default ${DEFAULT_IMAGE_SIZE.join('x')})
  --channels 1|3|auto    grey or colour (default ${TRAIN_DEFAULTS.channels}: grey when every image is stored grey)
  --normalize X          ${NORMALIZATIONS.join(' | ')} (default [0,1]); for predict, overrides the model's
  --validation-split X   share of the images held out for testing (default ${TRAIN_DEFAULTS.validationSplit})

Transfer learning (--base): the base (a convas or TensorFlow.js model, e.g. a Keras MobileNet
converted by tensorflowjs_converter) is cut after --cut LAYER and frozen; every image of --data is
made the base's input size, run through it once (its embedding), and a head trains on those in
seconds; base and head are saved together as one model. An unknown layer is an error listing the
layers the base has.
  --base DIR|model.json  the pretrained model
  --cut LAYER            the layer to cut after (MobileNetV2: out_relu; MobileNetV1: conv_pw_13_relu)
  --pooling X            avg | max | flatten | none: what follows the cut (default ${TRANSFER_DEFAULTS.pooling})
  --head LAYERS          dense:N[,dense:N…]: the head's hidden ReLU layers before its softmax, or none (default dense:${TRANSFER_DEFAULTS.head.join(',dense:')})
  With --base the defaults are --epochs ${TRANSFER_DEFAULTS.epochs}, --batch-size ${TRANSFER_DEFAULTS.batchSize} and --normalize ${TRANSFER_DEFAULTS.normalize} (as MobileNets expect);
  --model, --size, --channels and --shift do not apply.

Ctrl-C stops training after the current batch (the unfinished epoch is not kept); --resume continues it
(with --base nothing is saved: the head trains in seconds, run it again).

Exit codes: 0 success, 1 bad data, model or file, 2 bad command line, 130 stopped by Ctrl-C.
`;
