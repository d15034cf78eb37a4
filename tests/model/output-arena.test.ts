// The inference arena's plan against a run of the graph on a memory of tags: every step writes its
// tag over its output's bytes, hands on an input where it may, and every read must still find the
// tag of the step whose value it reads — on hand-made graphs and on random ones.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { InferenceOutput } from '../../src/layers/layer.js';
import { type ArenaStep, planOutputArena } from '../../src/model/output-arena.js';
import { seededRandom } from '../../src/random.js';

/**
 * Runs `steps` on tagged bytes (the graph's inputs outside the arena); `handsOn(s)` picks, for a step
 * that may pass an input on, which input (or −1: its own output). Returns the first wrong read, if any.
 */
function misread(steps: ArenaStep[], slotBytes: number[], graphOutputs: number[], handsOn: (s: number) => number): string | undefined {
  const { offsets, bytes } = planOutputArena(steps, slotBytes, graphOutputs);
  const memory = new Int32Array(bytes).fill(-1);
  // Per slot: where its value lies (−1: outside the arena) and the tag it must carry.
  const at = new Array<number>(slotBytes.length).fill(-1);
  const length = [...slotBytes];
  const tag = [...Array(slotBytes.length).keys()];
  const check = (slot: number, when: string) => {
    if (at[slot] < 0) return undefined;
    for (let b = at[slot]; b < at[slot] + length[slot]; b++) {
      if (memory[b] !== tag[slot]) return `${when}: slot ${slot} at ${at[slot]} was overwritten by ${memory[b]}`;
    }
    return undefined;
  };
  const write = (slot: number, s: number) => {
    if (offsets[slot] < 0) throw new Error(`step ${s} writes slot ${slot}, which has no place`);
    at[slot] = offsets[slot];
    memory.fill(tag[slot], offsets[slot], offsets[slot] + slotBytes[slot]);
  };
  // A pooling's output is written at its convolution's step.
  const early = new Map(steps.flatMap((step, s) => (step.writtenAt !== undefined ? [[step.writtenAt, s] as const] : [])));
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s];
    for (const slot of step.inputSlots) {
      const wrong = check(slot, `step ${s} reads`);
      if (wrong) return wrong;
    }
    if (early.has(s)) write(steps[early.get(s)!].outputSlot, s);
    if (step.writtenAt !== undefined) continue;
    const passed = step.output === 'own' ? -1 : handsOn(s);
    if (step.output === 'input' || passed >= 0) {
      const input = step.inputSlots[Math.max(passed, 0) % step.inputSlots.length];
      at[step.outputSlot] = at[input];
      length[step.outputSlot] = length[input];
      tag[step.outputSlot] = tag[input];
    } else {
      write(step.outputSlot, s);
    }
  }
  for (const slot of graphOutputs) {
    const wrong = check(slot, 'at the end');
    if (wrong) return wrong;
  }
  return undefined;
}

const step = (inputSlots: number[], outputSlot: number, output: InferenceOutput = 'own', writtenAt?: number): ArenaStep =>
  ({ inputSlots, outputSlot, output, writtenAt });

test('a chain of equal outputs takes two of them, each step writing where the one before last wrote', () => {
  const steps = Array.from({ length: 10 }, (_, s) => step([s], s + 1));
  const layout = planOutputArena(steps, Array(11).fill(64), [10]);
  assert.is(layout.bytes, 128);
  assert.is(misread(steps, Array(11).fill(64), [10], () => -1), undefined);
});

test('an output handed on (flatten, dropout) lives as long as what reads it through the layer that passed it', () => {
  // 0 → conv 1 → flatten 2 (passes 1 on) → conv 3 → conv 4 → add 5 (reads 2 and 4)
  const steps = [step([0], 1), step([1], 2, 'input'), step([2], 3), step([3], 4), step([2, 4], 5)];
  const sizes = [64, 64, 64, 64, 64, 64];
  const { offsets } = planOutputArena(steps, sizes, [5]);
  assert.is(offsets[2], -1, 'a layer that only hands on has no place');
  assert.ok(new Set([offsets[1], offsets[3], offsets[4]]).size === 3, 'slot 1 stays apart from 3 and 4, which run while add still needs it');
  assert.is(misread(steps, sizes, [5], () => 0), undefined);
});

test('a layer that writes or hands on, pass by pass, has a place and keeps its input alive too', () => {
  const steps = [step([0], 1), step([1], 2, 'either'), step([2], 3), step([3], 4)];
  const sizes = [64, 64, 64, 64, 64];
  for (const handsOn of [-1, 0]) assert.is(misread(steps, sizes, [4], () => handsOn), undefined, `handsOn ${handsOn}`);
  const { offsets } = planOutputArena(steps, sizes, [4]);
  assert.not.equal(offsets[1], offsets[3], 'slot 1 may be what step 3 reads');
});

test('a pooling written at its convolution\'s step is kept from there: no step between them shares its bytes', () => {
  // conv 1 (writes pooling 4's output), a branch 2 → 3 from the input, pooling 4, add 5 (3 and 4)
  const steps = [step([0], 1, 'input'), step([0], 2), step([2], 3), step([1], 4, 'own', 0), step([3, 4], 5)];
  const sizes = [64, 64, 64, 64, 64, 64];
  const { offsets } = planOutputArena(steps, sizes, [5]);
  assert.not.equal(offsets[2], offsets[4]);
  assert.is(misread(steps, sizes, [5], () => 0), undefined);
});

test('random graphs: every read finds what it should, whatever the layers hand on', () => {
  const rng = seededRandom(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng.next() * xs.length)];
  for (let graph = 0; graph < 400; graph++) {
    const inputs = 1 + Math.floor(rng.next() * 2);
    const count = 2 + Math.floor(rng.next() * 14);
    const sizes = Array.from({ length: inputs + count }, () => 16 * (1 + Math.floor(rng.next() * 6)));
    const steps: ArenaStep[] = [];
    for (let s = 0; s < count; s++) {
      const slot = inputs + s;
      const reads = Array.from({ length: 1 + Math.floor(rng.next() * 3) }, () => Math.floor(rng.next() * slot));
      steps.push(step(reads, slot, pick(['own', 'own', 'own', 'input', 'either'] as const)));
    }
    // Some convolutions run with the pooling that alone reads them, a later step.
    for (let s = 0; s < count; s++) {
      const readers = steps.flatMap((t, r) => (t.inputSlots.includes(inputs + s) ? [r] : []));
      const r = readers[0];
      if (readers.length !== 1 || steps[r].inputSlots.length !== 1 || steps[r].output !== 'own' || steps[s].writtenAt !== undefined || rng.next() > 0.4) continue;
      steps[s] = { ...steps[s], output: 'input' };
      steps[r] = { ...steps[r], writtenAt: s };
    }
    const outputs = [inputs + count - 1, ...(rng.next() < 0.3 ? [inputs + Math.floor(rng.next() * count)] : [])];
    const choices = steps.map(() => Math.floor(rng.next() * 4) - 1);
    const wrong = misread(steps, sizes, [...new Set(outputs)], (s) => choices[s]);
    assert.is(wrong, undefined, `graph ${graph}: ${JSON.stringify(steps)}`);
  }
});

test.run();
