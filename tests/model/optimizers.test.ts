// Optimizer configs: Keras's defaults filled in, the state each type keeps, and every impossible
// setting refused with a ConfigError that names it. (The steps themselves: tests/kernels/optimizers
// against the reference, tests/model/tfjs-training against TF.js.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, type OptimizerClassName, type OptimizerConfig, layers, schedules, sequential } from '../../src/index.js';
import { kernels } from '../helpers.js';
import { throwsWith } from '../throws-with.js';

const refused = (run: () => unknown, ...fragments: string[]) => throwsWith(run, ConfigError, ...fragments);

const model = () => sequential({ inputShape: [3], layers: [layers.dense({ units: 2, activation: 'softmax' })] });

const compiled = (optimizer: OptimizerConfig | OptimizerConfig['type'] | OptimizerClassName) => {
  const m = model();
  m.compile({ optimizer, loss: 'categoricalCrossentropy' });
  return m;
};

test('each type takes Keras\'s defaults, and keeps the state buffers it needs', async () => {
  await kernels();
  const expected: Array<[OptimizerConfig, object, string[]]> = [
    [{ type: 'rmsprop' }, { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false }, ['rms']],
    [{ type: 'rmsprop', momentum: 0.9, centered: true }, { learningRate: 0.001, rho: 0.9, momentum: 0.9, epsilon: 1e-7, centered: true },
      ['rms', 'momentum', 'mg']],
    [{ type: 'adagrad' }, { learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 }, ['accumulator']],
    [{ type: 'adadelta' }, { learningRate: 0.001, rho: 0.95, epsilon: 1e-7 }, ['accum_grad', 'accum_var']],
    [{ type: 'adamax' }, { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, ['m', 'u']],
    [{ type: 'adamw' }, { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.004 }, ['m', 'v']],
    [{ type: 'sgd', clipNorm: 2 }, { learningRate: 0.01, weightDecay: 0, clipNorm: 2 }, []],
  ];
  for (const [config, settings, slots] of expected) {
    const m = compiled(config);
    assert.equal(m.compileConfig?.optimizer, { type: config.type, ...settings }, JSON.stringify(config));
    assert.equal(m.optimizerState?.slotNames, slots, `${JSON.stringify(config)}: state buffers`);
    assert.is(m.optimizerState?.getState().buffers[0].length, slots.length);
    m.dispose();
  }
  // Adagrad's accumulators start at initialAccumulatorValue.
  const adagrad = compiled({ type: 'adagrad', initialAccumulatorValue: 0.25 });
  assert.ok(adagrad.optimizerState!.getState().buffers.flat().every((b) => b.every((v) => v === 0.25)));
});

test('TF.js\'s and Keras\'s class names are the optimizers\' names: \'Adam\', \'SGD\', \'RMSProp\' and \'RMSprop\', in a config too', async () => {
  await kernels();
  const names: Array<[OptimizerClassName, OptimizerConfig['type']]> = [['SGD', 'sgd'], ['Momentum', 'momentum'], ['Adam', 'adam'], ['AdamW', 'adamw'],
    ['Adamax', 'adamax'], ['RMSProp', 'rmsprop'], ['RMSprop', 'rmsprop'], ['Adagrad', 'adagrad'], ['Adadelta', 'adadelta']];
  for (const [className, type] of names) {
    assert.equal(compiled(className).compileConfig?.optimizer, compiled(type).compileConfig?.optimizer, className);
    assert.equal(compiled({ type: className as never, learningRate: 0.5 }).compileConfig?.optimizer, compiled({ type, learningRate: 0.5 }).compileConfig?.optimizer);
  }
  refused(() => compiled('Nadam' as never), 'unknown type "Nadam"', 'adam');
  refused(() => compiled({ learningRate: 0.1 } as never), 'expected a name or { type, learningRate, … }');
});

test('impossible optimizer settings are ConfigErrors naming the setting', async () => {
  await kernels();
  const cases: Array<[unknown, string[]]> = [
    [{ type: 'rmsprop', rho: -0.1 }, ['rmsprop', 'rho', '[0, 1)', '-0.1']],
    [{ type: 'adadelta', rho: 1 }, ['rho']],
    [{ type: 'rmsprop', momentum: 1.5 }, ['momentum']],
    [{ type: 'rmsprop', centered: 'yes' }, ['centered', 'true or false']],
    [{ type: 'adagrad', initialAccumulatorValue: -1 }, ['initialAccumulatorValue', '≥ 0']],
    [{ type: 'adamax', beta1: 1 }, ['beta1']],
    [{ type: 'adam', epsilon: 0 }, ['epsilon', 'positive']],
    [{ type: 'adamw', weightDecay: -0.01 }, ['weightDecay']],
    [{ type: 'sgd', learningRate: Infinity }, ['learningRate']],
    [{ type: 'sgd', clipNorm: 0 }, ['clipNorm', 'positive']],
    [{ type: 'sgd', clipValue: -1 }, ['clipValue']],
    [{ type: 'adam', globalClipNorm: NaN }, ['globalClipNorm']],
    [{ type: 'adam', clipNorm: 1, clipValue: 1 }, ['one of clipNorm, clipValue and globalClipNorm', 'clipNorm and clipValue']],
    [{ type: 'sgd', momentum: 0.9 }, ['optimizer sgd', 'unknown setting momentum', "the optimizer 'momentum'", "{ type: 'momentum', momentum: 0.9"]],
    [{ type: 'sgd', momentum: 0.9, nesterov: true }, ['unknown settings momentum, nesterov', "the optimizer 'momentum'", 'useNesterov']],
    [{ type: 'sgd', learnigRate: 0.1 }, ['optimizer sgd', 'unknown setting learnigRate', 'learningRate, weightDecay']],
    [{ type: 'rmsprop', weightDecay: 0.01 }, ['rmsprop', 'weightDecay']],
    [{ type: 'adam', lerningRate: 0.1 }, ['lerningRate']],
    [{ type: 'adam', learningRate: { initialLearningRate: 0.1 } }, ['learningRate', 'a number or a schedule']],
    [{ type: 'nadam' }, ['nadam', 'rmsprop', 'adadelta']],
  ];
  for (const [config, fragments] of cases) refused(() => compiled(config as OptimizerConfig), ...fragments);
  // A schedule is a learningRate too.
  compiled({ type: 'adam', learningRate: schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 }) }).dispose();
});

test.run();
