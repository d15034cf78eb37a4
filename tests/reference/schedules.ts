// Keras's learning-rate schedules (keras/src/optimizers/schedules/learning_rate_schedule.py) and
// its ReduceLROnPlateau callback, transcribed formula for formula into plain TypeScript with
// JavaScript's Math, in f64.

export function exponentialDecay(o: { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean }) {
  return (step: number) => {
    let p = step / o.decaySteps;
    if (o.staircase) p = Math.floor(p);
    return o.initialLearningRate * o.decayRate ** p;
  };
}

/** Keras sums value·[step in range] over the ranges. */
export function piecewiseConstantDecay(o: { boundaries: number[]; values: number[] }) {
  const { boundaries: b, values: v } = o;
  return (step: number) => {
    let result = (step <= b[0] ? 1 : 0) * v[0] + (step > b[b.length - 1] ? 1 : 0) * v[v.length - 1];
    for (let i = 0; i + 1 < b.length; i++) result += (step > b[i] && step <= b[i + 1] ? 1 : 0) * v[i + 1];
    return result;
  };
}

export function cosineDecay(o: { initialLearningRate: number; decaySteps: number; alpha?: number; warmupTarget?: number; warmupSteps?: number }) {
  const alpha = o.alpha ?? 0, warmupSteps = o.warmupSteps ?? 0;
  const decay = (step: number, from: number) => {
    const completed = step / o.decaySteps;
    const cosine = 0.5 * (1 + Math.cos(Math.PI * completed));
    return from * ((1 - alpha) * cosine + alpha);
  };
  return (step: number) => {
    if (o.warmupTarget === undefined) return decay(Math.min(step, o.decaySteps), o.initialLearningRate);
    const s = Math.min(step, o.decaySteps + warmupSteps);
    return s < warmupSteps ? (o.warmupTarget - o.initialLearningRate) * (s / warmupSteps) + o.initialLearningRate
      : decay(s - warmupSteps, o.warmupTarget);
  };
}

/** Keras's SGDR: the period found with a logarithm (geometric periods) or a floor (tMul 1). */
export function cosineDecayRestarts(o: { initialLearningRate: number; firstDecaySteps: number; tMul?: number; mMul?: number; alpha?: number }) {
  const tMul = o.tMul ?? 2, mMul = o.mMul ?? 1, alpha = o.alpha ?? 0;
  return (step: number) => {
    let completed = step / o.firstDecaySteps;
    let restart: number;
    if (tMul === 1) {
      restart = Math.floor(completed);
      completed -= restart;
    } else {
      restart = Math.floor(Math.log(1 - completed * (1 - tMul)) / Math.log(tMul));
      const sum = (1 - tMul ** restart) / (1 - tMul);
      completed = (completed - sum) / tMul ** restart;
    }
    const cosine = 0.5 * mMul ** restart * (1 + Math.cos(Math.PI * completed));
    return o.initialLearningRate * ((1 - alpha) * cosine + alpha);
  };
}

/** Keras's ReduceLROnPlateau.on_epoch_end, on a rate kept as an f32 (the optimizer's variable). */
export function reduceLROnPlateau(o: { initialLearningRate: number; monitor?: string; factor?: number; patience?: number;
  mode?: string; minDelta?: number; cooldown?: number; minLr?: number }) {
  const factor = o.factor ?? 0.1, patience = o.patience ?? 10, minDelta = o.minDelta ?? 1e-4, cooldown = o.cooldown ?? 0;
  const minLr = o.minLr ?? 0, monitor = o.monitor ?? 'val_loss', mode = o.mode ?? 'auto';
  const max = mode === 'max' || (mode === 'auto' && monitor.includes('acc'));
  const better = (a: number, b: number) => (max ? a > b + minDelta : a < b - minDelta);
  let lr = Math.fround(o.initialLearningRate), best = max ? -Infinity : Infinity, wait = 0, cooldownCounter = 0;
  return {
    get lr() {
      return lr;
    },
    epochEnd(current: number) {
      if (cooldownCounter > 0) {
        cooldownCounter -= 1;
        wait = 0;
      }
      if (better(current, best)) {
        best = current;
        wait = 0;
      } else if (!(cooldownCounter > 0)) {
        wait += 1;
        if (wait >= patience) {
          if (lr > Math.fround(minLr)) {
            lr = Math.fround(Math.max(lr * factor, minLr));
            cooldownCounter = cooldown;
            wait = 0;
          }
        }
      }
    },
  };
}
