// Where a graph's outputs lie when it only predicts: one block of memory, each node's output at an
// offset, outputs that are never needed at the same time sharing bytes. Training keeps every output
// (backward reads them), so this is the inference plan alone. Without it a deep net holds all of its
// activations at once (MobileNetV2 at 224×224, 32 images: 2.4 GB); with it, those that are live.
import type { InferenceOutput } from '../layers/layer.js';

export interface ArenaStep {
  inputSlots: readonly number[];
  outputSlot: number;
  output: InferenceOutput;
  /** The step that writes this output when an earlier one does (a max pooling its convolution runs). */
  writtenAt?: number;
}

export interface ArenaLayout {
  /** Per slot: the byte offset of its output in the arena, or −1 where it has none. */
  offsets: number[];
  bytes: number;
}

/**
 * Byte offsets for the outputs of `steps` (in run order; slots numbered as the executor's, the
 * graph's inputs first): each output keeps its bytes from the step that writes it to the last step
 * that reads it — or reads an output that may be it, handed on — and to the end for the graph's
 * outputs. Largest first, each at the lowest offset clear of those live at the same time, so the
 * layout is the same every time for the same graph. Linear in the steps for a chain (a file may
 * hold 100,000 of them): lifetimes are found in one pass backwards, and each output is checked only
 * against those placed that live at its steps.
 */
export function planOutputArena(steps: readonly ArenaStep[], slotBytes: readonly number[], graphOutputs: readonly number[]): ArenaLayout {
  const slots = slotBytes.length, last = steps.length;
  // Per slot: the last step that reads its value, directly or through steps that may hand it on.
  const lastRead = new Array<number>(slots).fill(-1);
  for (const slot of graphOutputs) lastRead[slot] = last;
  for (let s = last - 1; s >= 0; s--) {
    const step = steps[s];
    const handedOn = step.output === 'own' ? -1 : lastRead[step.outputSlot];
    for (const slot of step.inputSlots) lastRead[slot] = Math.max(lastRead[slot], s, handedOn);
  }
  const start = new Array<number>(slots).fill(-1);
  const end = new Array<number>(slots).fill(-1);
  steps.forEach((step, s) => {
    if (step.output === 'input') return;
    start[step.outputSlot] = Math.min(step.writtenAt ?? s, s);
    end[step.outputSlot] = Math.max(lastRead[step.outputSlot], s);
  });

  // Per step: the outputs placed so far that live at it.
  const liveAt: number[][] = Array.from({ length: last + 1 }, () => []);
  const seen = new Int32Array(slots).fill(-1);
  const offsets = new Array<number>(slots).fill(-1);
  let bytes = 0;
  const owners = [...Array(slots).keys()].filter((slot) => start[slot] >= 0);
  owners.sort((a, b) => slotBytes[b] - slotBytes[a] || a - b);
  for (const slot of owners) {
    const overlapping: number[] = [];
    for (let t = start[slot]; t <= end[slot]; t++) {
      for (const other of liveAt[t]) {
        if (seen[other] !== slot) overlapping.push(other);
        seen[other] = slot;
      }
    }
    // The first gap between them, by offset, that fits.
    overlapping.sort((a, b) => offsets[a] - offsets[b]);
    let offset = 0;
    for (const other of overlapping) {
      if (offset + slotBytes[slot] <= offsets[other]) break;
      offset = Math.max(offset, offsets[other] + slotBytes[other]);
    }
    offsets[slot] = offset;
    for (let t = start[slot]; t <= end[slot]; t++) liveAt[t].push(slot);
    bytes = Math.max(bytes, offset + slotBytes[slot]);
  }
  return { offsets, bytes };
}
