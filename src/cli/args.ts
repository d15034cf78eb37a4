// Command-line arguments: which command, and its options checked and converted to numbers.
// Anything wrong here is a UsageError, which the CLI reports with exit code 2.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { NORMALIZATIONS } from '../data/image-input.js';
import { ConvasError } from '../errors.js';
import { POOLINGS } from '../model/transfer.js';

/** A command line that cannot be run: unknown command or option, or an invalid value. */
export class UsageError extends ConvasError {}

export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export const LOSSES = ['categoricalCrossentropy', 'meanSquaredError'] as const;

export type Threads = number | 'auto';
export type Preset = (typeof NORMALIZATIONS)[number];

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Undefined: the optimizer's own default (0.001 for Adam, 0.01 for SGD and momentum). */
  learningRate?: number;
  optimizer: (typeof OPTIMIZERS)[number];
  loss: (typeof LOSSES)[number];
  seed: number;
  /** Training images are shifted by up to this many pixels each way, anew every epoch (0: never). */
  shift: number;
  /** An architecture JSON file; undefined for the default network. */
  model?: string;
  /** A directory of IDX files or of class folders of images; undefined for the bundled digits. */
  data?: string;
  out: string;
  /** Image folders: [height, width] the images are made (default 64×64). */
  size?: [number, number];
  /** Image folders: 1, 3, or 'auto' (1 when every image is grey). */
  channels: 1 | 3 | 'auto';
  /** Image folders: how pixels become inputs (default '[0,1]'). */
  normalize?: Preset;
  /** Image folders: the share held out for testing (default 0.2). */
  validationSplit?: number;
  /** Kernel threads: a count, or 'auto' (one per core, at most 8). */
  threads: Threads;
  /** The saved model's file format. */
  format: 'convas' | 'tfjs';
  /** Stop after this many epochs without a lower held-out loss, keeping the best epoch's weights (patience.ts); undefined: never. */
  patience?: number;
  /** With --base: train a head on a pretrained base's features instead of a network from scratch. */
  transfer?: TransferOptions;
}

export interface TransferOptions {
  /** The pretrained model: a directory or model.json (convas or TF.js format). */
  base: string;
  /** The layer the base is cut after. */
  cut: string;
  /** What follows the cut: global pooling ('avg', 'max'), 'flatten' or 'none'. */
  pooling: (typeof POOLINGS)[number];
  /** The head's hidden ReLU layers (units each), before the softmax; [] for none. */
  head: number[];
}

/** `convas train --resume DIR`: the run continues with the settings it was started with. */
export interface ResumeOptions {
  /** The run's --out directory, holding its last checkpoint. */
  dir: string;
  /** A new total number of epochs, when given. */
  epochs?: number;
  threads: Threads;
}

/** What may be given with --resume: options that do not change what the run computes (and the total of epochs). */
const RESUME_OPTIONS = ['resume', 'epochs', 'threads'];

export type Command =
  | { name: 'help' }
  | { name: 'train'; options: TrainOptions }
  | { name: 'resume'; options: ResumeOptions }
  | { name: 'evaluate'; options: { model: string; data?: string; threads: Threads } }
  | { name: 'predict'; options: { model: string; files: string[]; threads: Threads; normalize?: Preset } };

/** The settings given that only image folders take (made from files): data made already (IDX files, the digits) refuses them. */
export function imageFolderSettings(settings: Pick<TrainOptions, 'size' | 'channels' | 'normalize' | 'validationSplit'>): string[] {
  const given = { '--size': settings.size, '--channels': settings.channels === 'auto' ? undefined : settings.channels,
    '--normalize': settings.normalize, '--validation-split': settings.validationSplit };
  return Object.entries(given).filter(([, value]) => value !== undefined).map(([flag]) => flag);
}

/** Defaults chosen so `convas train` passes 98% on the held-out digits in well under a minute. */
export const TRAIN_DEFAULTS = {
  epochs: 12, batchSize: 32, optimizer: 'adam', loss: 'categoricalCrossentropy', seed: 0, shift: 1, out: 'convas-model',
  channels: 'auto', validationSplit: 0.2, threads: 1, format: 'convas',
} as const;

/** With --base, Teachable Machine's defaults: a head trains in seconds on cached features, so more epochs. */
export const TRANSFER_DEFAULTS = { epochs: 50, batchSize: 16, pooling: 'avg', head: [100], normalize: '[-1,1]' } as const;

/** Image folders are made this size unless --size says otherwise: small enough to train from scratch on a CPU in minutes. */
export const DEFAULT_IMAGE_SIZE: [number, number] = [64, 64];

const text = { type: 'string' } as const;
const help = { help: { type: 'boolean', short: 'h' } } as const;
const OPTIONS = {
  train: {
    ...help, epochs: text, 'batch-size': text, 'learning-rate': text, optimizer: text, loss: text, seed: text, shift: text,
    model: text, data: text, out: text, size: text, channels: text, normalize: text, 'validation-split': text, threads: text, resume: text,
    format: text, base: text, cut: text, pooling: text, head: text, patience: text,
  },
  evaluate: { ...help, model: text, data: text, threads: text },
  predict: { ...help, model: text, threads: text, normalize: text },
} satisfies Record<string, ParseArgsConfig['options']>;

export function parseCommandLine(argv: string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return { name: 'help' };
  if (!Object.hasOwn(OPTIONS, name)) throw new UsageError(`unknown command ${JSON.stringify(name)}; expected train, evaluate or predict`);
  const command = name as keyof typeof OPTIONS;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS[command], allowPositionals: command === 'predict', strict: true });
  } catch (error) {
    // parseArgs explains the problem well ("Unknown option '--foo'"); only its type changes.
    throw new UsageError(`${command}: ${(error as Error).message}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) return { name: 'help' };
  const string = (key: string) => values[key] as string | undefined;
  if (command === 'train' && values.resume !== undefined) return { name: 'resume', options: resumeOptions(values, string) };
  if (command === 'train') return { name: 'train', options: trainOptions(string) };
  const model = string('model');
  if (!model) throw new UsageError(`${command}: --model DIR is required (a directory written by convas train)`);
  const threads = threadsOption(string('threads'));
  if (command === 'evaluate') return { name: 'evaluate', options: { model, data: string('data'), threads } };
  if (parsed.positionals.length === 0) throw new UsageError('predict: name at least one JPEG, PNG or PGM file to classify');
  return { name: 'predict', options: { model, files: parsed.positionals, threads, normalize: normalizeOption(string('normalize')) } };
}

/** A number written in decimal (1, 0.5, 1e-3): Number() alone would also take '0x2', '0b1' and ''. */
const decimal = (given: string) => (/^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(given) ? Number(given) : NaN);

function threadsOption(given: string | undefined): Threads {
  if (given === undefined) return TRAIN_DEFAULTS.threads;
  if (given === 'auto') return 'auto';
  const n = decimal(given);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--threads must be a count from 1 to 64 or auto, got ${JSON.stringify(given)}`);
  return n;
}

function normalizeOption(given: string | undefined): Preset | undefined {
  if (given !== undefined && !(NORMALIZATIONS as readonly string[]).includes(given)) {
    throw new UsageError(`--normalize must be one of ${NORMALIZATIONS.join(', ')}, got ${JSON.stringify(given)}`);
  }
  return given as Preset | undefined;
}

/** "64" (a square) or "96x128" (height × width). */
function sizeOption(given: string | undefined): [number, number] | undefined {
  if (given === undefined) return undefined;
  const match = /^(\d+)(?:[x×](\d+))?$/.exec(given.trim());
  const size = match && [Number(match[1]), Number(match[2] ?? match[1])];
  if (!size || size.some((d) => d < 1 || d > 4096)) throw new UsageError(`--size must be N or HxW (1 to 4096 pixels each), got ${JSON.stringify(given)}`);
  return size as [number, number];
}

/** "dense:128" or "dense:128,dense:64": hidden ReLU layers; "none" for a softmax right on the features. */
function headOption(given: string | undefined): number[] | undefined {
  if (given === undefined) return undefined;
  if (given.trim() === 'none') return [];
  const units = given.split(',').map((part) => /^\s*dense:(\d+)\s*$/.exec(part)?.[1]).map(Number);
  if (units.some((u) => !Number.isInteger(u) || u < 1)) {
    throw new UsageError(`--head must be dense:N (N ReLU units; several joined by commas, e.g. dense:128,dense:64) or none, got ${JSON.stringify(given)}`);
  }
  return units;
}

function resumeOptions(values: Record<string, unknown>, value: (key: string) => string | undefined): ResumeOptions {
  const others = Object.keys(values).filter((key) => values[key] !== undefined && !RESUME_OPTIONS.includes(key));
  if (others.length > 0) {
    throw new UsageError(`train: --resume continues a run with the settings it was started with; ${others.map((key) => `--${key}`).join(', ')} ` +
      'cannot be given with it (only --epochs, for a new total, and --threads)');
  }
  const dir = value('resume')!;
  if (dir.trim() === '') throw new UsageError('--resume needs the directory of the run (its --out)');
  const epochs = value('epochs') === undefined ? undefined : trainOptions(value).epochs;
  return { dir, ...(epochs === undefined ? {} : { epochs }), threads: threadsOption(value('threads')) };
}

function trainOptions(value: (key: string) => string | undefined): TrainOptions {
  const base = value('base');
  // Settings of a network trained from scratch that a pretrained base decides, and the other way round.
  const clash = base ? ['model', 'size', 'channels', 'shift'].find((key) => value(key) !== undefined) : ['cut', 'pooling', 'head'].find((key) => value(key) !== undefined);
  if (clash) {
    throw new UsageError(base ? `--${clash} does not go with --base: the base decides the network and its input size` : `--${clash} goes with --base (a pretrained model to cut)`);
  }
  const defaults = base ? { ...TRAIN_DEFAULTS, ...TRANSFER_DEFAULTS } : TRAIN_DEFAULTS;
  const number = (key: string, fallback: number, check: (n: number) => boolean, expected: string): number => {
    const given = value(key);
    if (given === undefined) return fallback;
    const n = decimal(given);
    if (!check(n)) throw new UsageError(`--${key} must be ${expected}, got ${JSON.stringify(given)}`);
    return n;
  };
  const oneOf = <T extends string>(key: string, fallback: T, allowed: readonly T[]): T => {
    const given = value(key) ?? fallback;
    if (!allowed.includes(given as T)) throw new UsageError(`--${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(given)}`);
    return given as T;
  };
  const positiveInteger = (n: number) => Number.isInteger(n) && n >= 1;
  const channels = oneOf('channels', TRAIN_DEFAULTS.channels, ['1', '3', 'auto'] as const);
  const learningRate = value('learning-rate') === undefined ? undefined
    : number('learning-rate', 0, (n) => Number.isFinite(n) && n > 0, 'a positive number');
  const options: TrainOptions = {
    epochs: number('epochs', defaults.epochs, positiveInteger, 'a positive integer'),
    batchSize: number('batch-size', defaults.batchSize, positiveInteger, 'a positive integer'),
    learningRate,
    optimizer: oneOf('optimizer', TRAIN_DEFAULTS.optimizer, OPTIMIZERS),
    loss: oneOf('loss', TRAIN_DEFAULTS.loss, LOSSES),
    seed: number('seed', TRAIN_DEFAULTS.seed, (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32, 'an integer from 0 to 4294967295'),
    shift: number('shift', TRAIN_DEFAULTS.shift, (n) => Number.isInteger(n) && n >= 0, 'a whole number of pixels (0 for none)'),
    model: value('model'),
    data: value('data'),
    out: value('out') ?? TRAIN_DEFAULTS.out,
    size: sizeOption(value('size')),
    channels: channels === 'auto' ? 'auto' : (Number(channels) as 1 | 3),
    normalize: normalizeOption(value('normalize')),
    validationSplit: value('validation-split') === undefined ? undefined
      : number('validation-split', 0, (n) => n > 0 && n < 1, 'a share between 0 and 1 (exclusive)'),
    threads: threadsOption(value('threads')),
    format: oneOf('format', TRAIN_DEFAULTS.format, ['convas', 'tfjs'] as const),
    ...(value('patience') === undefined ? {} : { patience: number('patience', 0, (n) => Number.isInteger(n) && n >= 0, 'a whole number of epochs (0: stop at the first without improvement)') }),
  };
  if (options.channels === 1 && options.normalize === 'imagenet') {
    throw new UsageError("--normalize imagenet is per colour channel; it does not go with --channels 1");
  }
  const forFolders = imageFolderSettings(options);
  if (!base && options.data === undefined && forFolders.length) {
    throw new UsageError(`${forFolders.join(', ')} ${forFolders.length === 1 ? 'applies' : 'apply'} to --data DIR, folders of images; ` +
      'the bundled digits are made already (28×28×1, split 8,000/2,000)');
  }
  if (!base) return options;
  const cut = value('cut');
  if (!cut) throw new UsageError('--base needs --cut LAYER, the layer to cut the base after (MobileNetV2: out_relu; MobileNetV1: conv_pw_13_relu)');
  if (!options.data) throw new UsageError('--base needs --data DIR: one folder of images per class to teach it');
  const transfer = { base, cut, pooling: oneOf('pooling', TRANSFER_DEFAULTS.pooling, POOLINGS), head: headOption(value('head')) ?? [...TRANSFER_DEFAULTS.head] };
  return { ...options, normalize: options.normalize ?? TRANSFER_DEFAULTS.normalize, transfer };
}
