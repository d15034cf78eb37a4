// The workspace of a layer's conv2d calls (backend/conv2d-jobs.ts): the layer's own buffer for what
// stays between calls (a small filter transformed for Winograd), and its share of the scratch all
// layers share for what a call needs only while it runs.
import type { Conv2dPass } from '../backend/conv2d-algorithm.js';
import type { ParallelKernels } from '../backend/parallel-kernels.js';
import type { Conv2dGeometry } from '../window.js';
import type { PlannedBuffers } from './layer.js';

/**
 * Plans the workspace of `passes` on each of `geometries` (their batch set to the capacity; a layer
 * may run several, each call on one of them): the largest own part, returned (0 when none), and the
 * largest scratch, reserved.
 */
export function planConv2dWorkspace(parallel: ParallelKernels, buffers: PlannedBuffers, passes: readonly Conv2dPass[],
  geometries: readonly Conv2dGeometry[]): number {
  const own = Math.max(...geometries.map((g) => parallel.conv2d.workspaceFloats(g, passes)));
  buffers.scratch(Math.max(...geometries.map((g) => parallel.conv2d.scratchBytes(g, passes))));
  return own > 0 ? buffers.forward(own) : 0;
}
