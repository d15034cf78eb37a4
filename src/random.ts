// A small seeded generator (mulberry32): integer arithmetic only, so a seed gives the same stream
// in every JavaScript engine — which is what makes weights reproducible bit for bit.

export interface Random {
  /** Uniform in [0, 1), a multiple of 2^-32. */
  next(): number;
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  /** A 32-bit seed for a child stream (dropout masks, shuffles). */
  seed(): number;
  /** Shuffles `order` in place (Fisher–Yates). */
  shuffle(order: Uint32Array | number[]): void;
  /** Moves on as `count` calls of next() would, without drawing: the state is a counter (a Weyl sequence). */
  skip(count: number): void;
  /** The position in the stream (a 32-bit integer): saved with a model so training resumes exactly. */
  state: number;
}

/** What each draw adds to the state. */
const STEP = 0x6d2b79f5;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next32 = () => {
    state = (state + STEP) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = () => next32() / 4294967296;
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return {
    next,
    int,
    seed: next32,
    get state() {
      return state;
    },
    set state(value: number) {
      state = value >>> 0;
    },
    skip(count) {
      state = (state + Math.imul(count, STEP)) >>> 0; // count·STEP modulo 2^32, exactly
    },
    shuffle(order) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = int(0, i);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    },
  };
}
