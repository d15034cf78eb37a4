// The command line: defaults, every option converted, and each mistake a UsageError naming it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TRAIN_DEFAULTS, UsageError, parseCommandLine } from '../../src/cli/args.js';

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
    options: { ...TRAIN_DEFAULTS, learningRate: undefined, model: undefined, data: undefined },
  });
});

test('every train option is read and converted', () => {
  const command = parseCommandLine(['train', '--epochs', '3', '--batch-size=64', '--learning-rate', '1e-3', '--optimizer', 'momentum',
    '--loss', 'meanSquaredError', '--seed', '4294967295', '--shift', '0', '--model', 'net.json', '--data', 'idx', '--out', 'out']);
  assert.equal(command, { name: 'train', options: {
    epochs: 3, batchSize: 64, learningRate: 0.001, optimizer: 'momentum', loss: 'meanSquaredError', seed: 4294967295, shift: 0,
    model: 'net.json', data: 'idx', out: 'out',
  } });
});

test('help, evaluate and predict', () => {
  for (const argv of [[], ['--help'], ['-h'], ['help'], ['train', '--help'], ['predict', '-h']]) {
    assert.equal(parseCommandLine(argv), { name: 'help' }, argv.join(' '));
  }
  assert.equal(parseCommandLine(['evaluate', '--model', 'm']), { name: 'evaluate', options: { model: 'm', data: undefined } });
  assert.equal(parseCommandLine(['predict', '--model', 'm', 'a.png', 'b.pgm']), { name: 'predict', options: { model: 'm', files: ['a.png', 'b.pgm'] } });
});

test('unknown commands and options', () => {
  usageError(['fit'], 'unknown command', '"fit"');
  usageError(['train', '--epoch', '3'], '--epoch');
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
});

test('evaluate and predict need a model; predict needs files', () => {
  usageError(['evaluate'], '--model DIR is required');
  usageError(['predict', 'a.png'], '--model DIR is required');
  usageError(['predict', '--model', 'm'], 'at least one');
});

test.run();
