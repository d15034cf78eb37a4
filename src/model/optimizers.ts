// Gradient descent: SGD, momentum (optionally Nesterov) and Adam. Each keeps its per-parameter
// state in wasm buffers allocated once, when the model is compiled.
import { getBackend } from '../backend/wasm.js';
import { ConfigError } from '../errors.js';
import type { Parameter } from '../layers/layer.js';

export interface OptimizerConfig {
  type: 'sgd' | 'momentum' | 'adam';
  learningRate?: number;
  /** momentum: the decay of the accumulated gradient (default 0.9). */
  momentum?: number;
  useNesterov?: boolean;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** L2 penalty: adds weightDecay·w to every gradient (default 0). */
  weightDecay?: number;
}

export interface OptimizerState {
  steps: number;
  buffers: Float32Array[][];
}

const DEFAULTS = { sgd: { learningRate: 0.01 }, momentum: { learningRate: 0.01, momentum: 0.9 }, adam: { learningRate: 0.001 } };

export class Optimizer {
  readonly config: Required<OptimizerConfig>;
  /** The weights it was attached to, and per weight its state buffers (none for SGD, one for momentum, two for Adam). */
  private params: readonly Parameter[] = [];
  private state: number[][] = [];
  private sizes: number[] = [];
  private stateByParam = new Map<Parameter, number[]>();
  /** Steps taken, and β1^t, β2^t kept as running products (exact and engine-independent). */
  private steps = 0;
  private beta1Power = 1;
  private beta2Power = 1;

  constructor(config: OptimizerConfig | string) {
    const c = typeof config === 'string' ? { type: config } as OptimizerConfig : config;
    if (!c || !Object.hasOwn(DEFAULTS, c.type)) {
      throw new ConfigError(`optimizer: unknown type ${JSON.stringify(c?.type)}; expected 'sgd', 'momentum' or 'adam'`);
    }
    this.config = {
      type: c.type, learningRate: c.learningRate ?? DEFAULTS[c.type].learningRate, momentum: c.momentum ?? 0.9,
      useNesterov: c.useNesterov ?? false, beta1: c.beta1 ?? 0.9, beta2: c.beta2 ?? 0.999, epsilon: c.epsilon ?? 1e-7,
      weightDecay: c.weightDecay ?? 0,
    };
    const { learningRate, momentum, beta1, beta2, epsilon, weightDecay } = this.config;
    const check = (ok: boolean, what: string) => {
      if (!ok) throw new ConfigError(`optimizer: ${what}`);
    };
    check(Number.isFinite(learningRate) && learningRate > 0, `learningRate must be a positive number, got ${learningRate}`);
    check(momentum >= 0 && momentum < 1, `momentum must be in [0, 1), got ${momentum}`);
    check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, `beta1 and beta2 must be in [0, 1), got ${beta1}, ${beta2}`);
    check(epsilon > 0, `epsilon must be positive, got ${epsilon}`);
    check(weightDecay >= 0, `weightDecay must be ≥ 0, got ${weightDecay}`);
  }

  get learningRate(): number {
    return this.config.learningRate;
  }

  /** Allocates zeroed state for each parameter (before the first step). */
  attach(params: readonly Parameter[]): void {
    this.params = params;
    const memory = getBackend().memory;
    const buffersEach = { sgd: 0, momentum: 1, adam: 2 }[this.config.type];
    this.sizes = params.map((p) => p.size);
    this.state = params.map((p) => Array.from({ length: buffersEach }, () => {
      const ptr = memory.alloc(p.size * 4);
      memory.f32(ptr, p.size).fill(0);
      return ptr;
    }));
    this.stateByParam = new Map(params.map((p, i) => [p, this.state[i]]));
  }

  /** One step on the attached weights that are in `trained` (frozen weights and layer state keep still). */
  step(trained: ReadonlySet<Parameter>): void {
    const params = this.params;
    const k = getBackend().kernels;
    const { type, learningRate: lr, momentum, useNesterov, beta1, beta2, epsilon, weightDecay } = this.config;
    this.steps++;
    this.beta1Power *= beta1;
    this.beta2Power *= beta2;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      if (!trained.has(p)) continue;
      const s = this.state[i];
      if (type === 'sgd') k.sgdUpdate(p.value, p.grad, p.size, lr, weightDecay);
      else if (type === 'momentum') k.momentumUpdate(p.value, p.grad, s[0], p.size, lr, momentum, useNesterov ? 1 : 0, weightDecay);
      else k.adamUpdate(p.value, p.grad, s[0], s[1], p.size, lr, beta1, beta2, epsilon,
        1 - this.beta1Power, 1 - this.beta2Power, weightDecay);
    }
  }

  /** The steps taken and each parameter's state buffers, as copies (for saving). */
  getState(): OptimizerState {
    const memory = getBackend().memory;
    return { steps: this.steps, buffers: this.state.map((bufs, i) => bufs.map((ptr) => memory.f32(ptr, this.sizes[i]).slice())) };
  }

  /** Restores a saved state; shapes were validated by the loader. */
  setState(state: OptimizerState): void {
    const memory = getBackend().memory;
    state.buffers.forEach((bufs, i) => bufs.forEach((values, j) => memory.f32(this.state[i][j], values.length).set(values)));
    this.replaySteps(state.steps);
  }

  /** A weight's state buffers (addresses): for checkpoints of a step. */
  stateBuffers(param: Parameter): readonly number[] {
    return this.stateByParam.get(param) ?? [];
  }

  /** Uncounts the last step, once its buffers were restored from a checkpoint. */
  forgetLastStep(): void {
    this.replaySteps(this.steps - 1);
  }

  /** Replaying the running products keeps β^t bit-identical to an uninterrupted run. */
  private replaySteps(steps: number): void {
    this.steps = 0;
    this.beta1Power = this.beta2Power = 1;
    for (let t = 0; t < steps; t++) {
      this.steps++;
      this.beta1Power *= this.config.beta1;
      this.beta2Power *= this.config.beta2;
    }
  }

  dispose(): void {
    const memory = getBackend().memory;
    this.state.flat().forEach((ptr) => memory.free(ptr));
    this.state = [];
    this.stateByParam.clear();
  }
}
