// The command line: defaults, every option converted, and each mistake a UsageError naming it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TRAIN_DEFAULTS, TRANSFER_DEFAULTS, UsageError, parseCommandLine } from '../../src/cli/args.js';

function usageError(argv: string[], ...fragments: string[]): void {
  try {
    parseCommandLine(argv);
  } catch (error) {
    assert.instance(error, UsageError, String(error));
    for (const f of fragments) assert.ok((error as Error).message.includes(f), `"${(error as Error).message}" should mention "${f}"`);
    return;
  }
  assert.unreachable(`${argv.join(' ')} should be a usage error`);
}

test('train with no options takes the defaults', () => {
  assert.equal(parseCommandLine(['train']), {
    name: 'train',
    options: { ...TRAIN_DEFAULTS, learningRate: undefined, model: undefined, data: undefined, size: undefined, normalize: undefined, validationSplit: undefined },
  });
});

test('every train option is read and converted', () => {
  const command = parseCommandLine(['train', '--epochs', '3', '--batch-size=64', '--learning-rate', '1e-3', '--optimizer', 'momentum',
    '--loss', 'meanSquaredError', '--seed', '4294967295', '--shift', '0', '--model', 'net.json', '--data', 'idx', '--out', 'out',
    '--size', '96x128', '--channels', '1', '--normalize', '[-1,1]', '--validation-split', '0.1', '--threads', 'auto', '--format', 'tfjs']);
  assert.equal(command, { name: 'train', options: {
    epochs: 3, batchSize: 64, learningRate: 0.001, optimizer: 'momentum', loss: 'meanSquaredError', seed: 4294967295, shift: 0,
    model: 'net.json', data: 'idx', out: 'out', size: [96, 128], channels: 1, normalize: '[-1,1]', validationSplit: 0.1, threads: 'auto',
    format: 'tfjs',
  } });
  const square = parseCommandLine(['train', '--data', 'photos', '--size', '32', '--channels', '3', '--threads', '2']);
  assert.equal(square.name === 'train' && [square.options.size, square.options.channels, square.options.threads], [[32, 32], 3, 2]);
});

test('help, evaluate and predict', () => {
  for (const argv of [[], ['--help'], ['-h'], ['help'], ['train', '--help'], ['predict', '-h']]) {
    assert.equal(parseCommandLine(argv), { name: 'help' }, argv.join(' '));
  }
  assert.equal(parseCommandLine(['evaluate', '--model', 'm']), { name: 'evaluate', options: { model: 'm', data: undefined, threads: 1 } });
  assert.equal(parseCommandLine(['evaluate', '--model', 'm', '--threads', '2']), { name: 'evaluate', options: { model: 'm', data: undefined, threads: 2 } });
  assert.equal(parseCommandLine(['predict', '--model', 'm', 'a.png', 'b.pgm']),
    { name: 'predict', options: { model: 'm', files: ['a.png', 'b.pgm'], threads: 1, normalize: undefined } });
  assert.equal(parseCommandLine(['predict', '--model', 'm', '--normalize', 'imagenet', '--threads', 'auto', 'a.jpg']),
    { name: 'predict', options: { model: 'm', files: ['a.jpg'], threads: 'auto', normalize: 'imagenet' } });
});

test('--resume DIR: the run continues with its own settings; only --epochs and --threads may be given with it', () => {
  assert.equal(parseCommandLine(['train', '--resume', 'out']), { name: 'resume', options: { dir: 'out', threads: 1 } });
  assert.equal(parseCommandLine(['train', '--resume', 'out', '--epochs', '20', '--threads', '2']),
    { name: 'resume', options: { dir: 'out', epochs: 20, threads: 2 } });
  usageError(['train', '--resume', 'out', '--learning-rate', '0.1', '--seed', '3'], '--learning-rate, --seed cannot be given with it');
  usageError(['train', '--resume', 'out', '--epochs', '0'], '--epochs must be a positive integer');
  usageError(['train', '--resume', ''], '--resume needs the directory of the run');
});

test('unknown commands and options', () => {
  usageError(['fit'], 'unknown command', '"fit"');
  usageError(['train', '--epoch', '3'], '--epoch');
  usageError(['train', '--size', '32', '--validation-split', '0.1'], '--size, --validation-split apply to --data DIR', 'bundled digits are made already');
  usageError(['train', '--data', 'photos', '--channels', '1', '--normalize', 'imagenet'], '--normalize imagenet is per colour channel');
  usageError(['evaluate', '--model', 'm', '--epochs', '3'], '--epochs');
  usageError(['train', 'extra'], 'extra');
  usageError(['train', '--epochs'], '--epochs');
});

test('invalid values name the option, the value and what is expected', () => {
  usageError(['train', '--epochs', 'abc'], '--epochs', '"abc"', 'positive integer');
  usageError(['train', '--epochs', '0'], '--epochs', 'positive integer');
  usageError(['train', '--epochs', '2.5'], '--epochs');
  usageError(['train', '--batch-size', ''], '--batch-size');
  usageError(['train', '--learning-rate=-0.1'], '--learning-rate', 'positive number');
  usageError(['train', '--learning-rate', 'Infinity'], '--learning-rate');
  usageError(['train', '--optimizer', 'foo'], '--optimizer', '"foo"', 'sgd, momentum, adam');
  usageError(['train', '--loss', 'hinge'], '--loss', 'categoricalCrossentropy');
  usageError(['train', '--seed=-1'], '--seed', 'integer from 0');
  usageError(['train', '--seed', '4294967296'], '--seed');
  usageError(['train', '--shift', '1.5'], '--shift', 'whole number of pixels');
  usageError(['train', '--size', '0'], '--size', 'N or HxW');
  usageError(['train', '--size', '32x'], '--size', '"32x"');
  usageError(['train', '--size', '5000'], '--size');
  usageError(['train', '--channels', '2'], '--channels', '1, 3, auto');
  usageError(['train', '--normalize', '0-1'], '--normalize', '[0,1], [-1,1], [0,255], imagenet');
  usageError(['predict', '--model', 'm', '--normalize', 'x', 'a.png'], '--normalize');
  usageError(['train', '--validation-split', '1'], '--validation-split', 'between 0 and 1');
  usageError(['train', '--threads', '0'], '--threads', 'from 1 to 64 or auto');
  usageError(['evaluate', '--model', 'm', '--threads', 'many'], '--threads', '"many"');
});

test('train --base: its own defaults (Teachable Machine\'s), the cut, pooling and head read; what does not go with a base refused', () => {
  const taught = parseCommandLine(['train', '--base', 'mobilenet', '--cut', 'out_relu', '--data', 'photos']);
  assert.equal(taught.name === 'train' && taught.options, {
    ...TRAIN_DEFAULTS, learningRate: undefined, model: undefined, data: 'photos', size: undefined, validationSplit: undefined,
    epochs: TRANSFER_DEFAULTS.epochs, batchSize: TRANSFER_DEFAULTS.batchSize, normalize: '[-1,1]',
    transfer: { base: 'mobilenet', cut: 'out_relu', pooling: 'avg', head: [100] },
  });
  const chosen = parseCommandLine(['train', '--base', 'm/model.json', '--cut', 'conv_pw_13_relu', '--data', 'p', '--pooling', 'flatten',
    '--head', 'dense:128, dense:64', '--epochs', '5', '--batch-size', '8', '--normalize', '[0,1]']);
  assert.equal(chosen.name === 'train' && [chosen.options.epochs, chosen.options.batchSize, chosen.options.normalize, chosen.options.transfer],
    [5, 8, '[0,1]', { base: 'm/model.json', cut: 'conv_pw_13_relu', pooling: 'flatten', head: [128, 64] }]);
  const bare = parseCommandLine(['train', '--base', 'm', '--cut', 'x', '--data', 'p', '--head', 'none']);
  assert.equal(bare.name === 'train' && bare.options.transfer?.head, []);
  usageError(['train', '--base', 'm', '--data', 'p'], '--base needs --cut LAYER', 'out_relu');
  usageError(['train', '--base', 'm', '--cut', 'x'], '--base needs --data DIR');
  usageError(['train', '--cut', 'x'], '--cut goes with --base');
  usageError(['train', '--head', 'dense:8'], '--head goes with --base');
  for (const option of ['--model', '--size', '--channels', '--shift']) {
    usageError(['train', '--base', 'm', '--cut', 'x', '--data', 'p', option, '3'], `${option} does not go with --base`);
  }
  usageError(['train', '--base', 'm', '--cut', 'x', '--data', 'p', '--head', 'dense:'], '--head must be dense:N', '"dense:"');
  usageError(['train', '--base', 'm', '--cut', 'x', '--data', 'p', '--head', 'conv:3'], '--head');
  usageError(['train', '--base', 'm', '--cut', 'x', '--data', 'p', '--pooling', 'mean'], '--pooling', 'none, avg, max, flatten');
  usageError(['train', '--format', 'onnx'], '--format', 'convas, tfjs');
});

test('evaluate and predict need a model; predict needs files', () => {
  usageError(['evaluate'], '--model DIR is required');
  usageError(['predict', 'a.png'], '--model DIR is required');
  usageError(['predict', '--model', 'm'], 'at least one');
});

test.run();
