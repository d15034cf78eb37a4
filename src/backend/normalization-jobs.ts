// Batch, layer and group normalisation as layers call them, as jobs over the batch (job-writer.ts), on
// [batch, …, channels] data read as rows of channels, exampleRows rows per example. Per-channel sums
// over the batch are one slice's f64 sums and their f32 scratch each (assembly/channel-sums.ts), in a
// workspace the layer plans, added in slice order; layer normalisation normalises each row by its
// own statistics (meanFromFirst and invStd: a float per row).
import { alignBytes } from './alignment.js';
import { MAX_SLICES } from './batch-slices.js';
import type { JobWriter } from './job-writer.js';

export class NormalizationJobs {
  constructor(private readonly jobs: JobWriter) {}

  /** Bytes between the slices' sums in the workspace: the kernels' `stride`. */
  channelSumsStride(channels: number): number {
    return alignBytes(channels * CHANNEL_SUMS_BYTES_PER_CHANNEL);
  }

  /** Floats of workspace the per-channel sums need: every slice's sums and scratch. */
  channelSumsWorkspaceFloats(channels: number): number {
    return (this.channelSumsStride(channels) * MAX_SLICES) / 4;
  }

  // --- batch normalisation: [batch, …, channels] data as rows of channels, exampleRows rows per example

  /** Σ(x − centre), or its square when squares ≠ 0, per slice of the fixed split, into the workspace; returns the slice count. */
  batchNormSums(x: number, centre: number, squares: number, workspace: number, batch: number, exampleRows: number, channels: number): number {
    const exampleBytes = exampleRows * channels * 4, stride = this.channelSumsStride(channels);
    const slices = this.jobs.start(batch, false);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(x + this.jobs.first * exampleBytes).arg(centre).arg(workspace + s * stride).arg(this.jobs.count * exampleRows).arg(channels).arg(squares);
    }
    this.jobs.run('batchNormSums', NORMALISATION_PASS_COST * batch * exampleRows * channels);
    return slices;
  }

  /** Σdy and Σdy·(x − mean) per slice of the fixed split, into the workspace; returns the slice count. */
  batchNormBackwardSums(x: number, dy: number, mean: number, workspace: number, batch: number, exampleRows: number, channels: number): number {
    const exampleBytes = exampleRows * channels * 4, stride = this.channelSumsStride(channels);
    const slices = this.jobs.start(batch, false);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      const at = this.jobs.first * exampleBytes;
      this.jobs.arg(x + at).arg(dy + at).arg(mean).arg(workspace + s * stride).arg(this.jobs.count * exampleRows).arg(channels);
    }
    this.jobs.run('batchNormBackwardSums', NORMALISATION_PASS_COST * batch * exampleRows * channels);
    return slices;
  }

  /** y = act((x − centre)·scale + shift) per channel, split by examples. */
  channelAffine(x: number, centre: number, scale: number, shift: number, y: number, batch: number, exampleRows: number, channels: number,
    activation: number): void {
    const exampleBytes = exampleRows * channels * 4;
    const slices = this.jobs.start(batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      const at = this.jobs.first * exampleBytes;
      this.jobs.arg(x + at).arg(centre).arg(scale).arg(shift).arg(y + at).arg(this.jobs.count * exampleRows).arg(channels).arg(activation);
    }
    this.jobs.run('channelAffine', NORMALISATION_PASS_COST * batch * exampleRows * channels);
  }

  /** dx = dy·dyScale + (x − mean)·centredScale + dyShift per channel, split by examples. */
  batchNormBackwardInput(dy: number, x: number, mean: number, dyScale: number, centredScale: number, dyShift: number, dx: number,
    batch: number, exampleRows: number, channels: number): void {
    const exampleBytes = exampleRows * channels * 4;
    const slices = this.jobs.start(batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      const at = this.jobs.first * exampleBytes;
      this.jobs.arg(dy + at).arg(x + at).arg(mean).arg(dyScale).arg(centredScale).arg(dyShift).arg(dx + at).arg(this.jobs.count * exampleRows).arg(channels);
    }
    this.jobs.run('batchNormBackwardInput', NORMALISATION_PASS_COST * batch * exampleRows * channels);
  }

  // --- layer normalisation: [batch, …, channels] data as rows of channels, exampleRows rows per
  //     example, each row normalised by its own statistics (meanFromFirst and invStd: a float per row)

  /** The rows normalised, γ and β applied (0: absent), their statistics written (when meanFromFirst ≠ 0); `epsilon` is the address of ε. Split by examples. */
  layerNormForward(x: number, gamma: number, beta: number, y: number, meanFromFirst: number, invStd: number, epsilon: number,
    batch: number, exampleRows: number, channels: number): void {
    const exampleBytes = exampleRows * channels * 4, statisticsBytes = exampleRows * 4;
    const slices = this.jobs.start(batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      const at = this.jobs.first * exampleBytes, rowAt = this.jobs.first * statisticsBytes;
      this.jobs.arg(x + at).arg(gamma).arg(beta).arg(y + at).arg(meanFromFirst && meanFromFirst + rowAt).arg(invStd && invStd + rowAt)
        .arg(this.jobs.count * exampleRows).arg(channels).arg(epsilon);
    }
    // Three passes over each row: the mean, the variance, the normalisation.
    this.jobs.run('layerNormForward', 3 * NORMALISATION_PASS_COST * batch * exampleRows * channels);
  }

  /**
   * dx (when ≠ 0; `epsilon` is the address of ε), and dγ and dβ summed over the batch (each when ≠ 0):
   * then each slice of the fixed split sums into the workspace (channelSumsWorkspaceFloats), and the
   * slices are added in order.
   */
  layerNormBackward(x: number, dy: number, gamma: number, meanFromFirst: number, invStd: number, epsilon: number, dx: number, dGamma: number,
    dBeta: number, workspace: number, batch: number, exampleRows: number, channels: number): void {
    const exampleBytes = exampleRows * channels * 4, statisticsBytes = exampleRows * 4, stride = this.channelSumsStride(channels);
    const sums = dGamma !== 0 || dBeta !== 0;
    const slices = this.jobs.start(batch, !sums);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      const at = this.jobs.first * exampleBytes, rowAt = this.jobs.first * statisticsBytes;
      this.jobs.arg(x + at).arg(dy + at).arg(gamma).arg(meanFromFirst + rowAt).arg(invStd + rowAt).arg(dx && dx + at)
        .arg(sums ? workspace + s * stride : 0).arg(this.jobs.count * exampleRows).arg(channels).arg(epsilon);
    }
    // Two passes over each row for dx, in f64 (each about two f32 passes' work), one for the sums.
    this.jobs.run('layerNormBackward', 5 * NORMALISATION_PASS_COST * batch * exampleRows * channels);
    if (sums) this.jobs.kernels.layerNormParameterGradients(workspace, slices, stride, channels, dGamma, dBeta);
  }

  // --- group normalisation: [batch, …, channels] data, exampleRows positions per example, each
  //     example's groups normalised by their own statistics (mean and invStd: a float per example and group)

  /** Bytes between the slices' workspaces (assembly/group-norm.ts). */
  groupNormStride(channels: number): number {
    return alignBytes(channels * GROUP_NORM_BYTES_PER_CHANNEL);
  }

  /** Floats of workspace a group normalisation needs: every slice's. */
  groupNormWorkspaceFloats(channels: number): number {
    return (this.groupNormStride(channels) * MAX_SLICES) / 4;
  }

  /**
   * The examples' groups normalised, γ and β applied (0: absent), their statistics written (when
   * mean ≠ 0); `epsilon` is the address of ε. Split as the backward's sums are, so that the
   * workspace holds MAX_SLICES slices' scratch.
   */
  groupNormForward(x: number, gamma: number, beta: number, y: number, mean: number, invStd: number, epsilon: number, workspace: number,
    batch: number, exampleRows: number, channels: number, groups: number): void {
    const exampleBytes = exampleRows * channels * 4, statisticsBytes = groups * 4, stride = this.groupNormStride(channels);
    const slices = this.jobs.start(batch, false);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      const at = this.jobs.first * exampleBytes, statisticsAt = this.jobs.first * statisticsBytes;
      this.jobs.arg(x + at).arg(gamma).arg(beta).arg(y + at).arg(mean && mean + statisticsAt).arg(invStd && invStd + statisticsAt)
        .arg(this.jobs.count).arg(exampleRows).arg(channels).arg(groups).arg(epsilon).arg(workspace + s * stride);
    }
    // Three passes over each example: the sums, the squares, the normalisation.
    this.jobs.run('groupNormForward', 3 * NORMALISATION_PASS_COST * batch * exampleRows * channels);
  }

  /** dx (when ≠ 0), and dγ and dβ summed over the batch (each when ≠ 0), each slice's sums added in slice order. */
  groupNormBackward(x: number, dy: number, gamma: number, mean: number, invStd: number, dx: number, dGamma: number, dBeta: number,
    workspace: number, batch: number, exampleRows: number, channels: number, groups: number): void {
    const exampleBytes = exampleRows * channels * 4, statisticsBytes = groups * 4, stride = this.groupNormStride(channels);
    const sums = dGamma !== 0 || dBeta !== 0;
    const slices = this.jobs.start(batch, false);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      const at = this.jobs.first * exampleBytes, statisticsAt = this.jobs.first * statisticsBytes;
      this.jobs.arg(x + at).arg(dy + at).arg(gamma).arg(mean + statisticsAt).arg(invStd + statisticsAt).arg(dx && dx + at)
        .arg(this.jobs.count).arg(exampleRows).arg(channels).arg(groups).arg(workspace + s * stride).arg(sums ? 1 : 0);
    }
    // The sums, then dx.
    this.jobs.run('groupNormBackward', 2 * NORMALISATION_PASS_COST * batch * exampleRows * channels);
    if (sums) this.jobs.kernels.layerNormParameterGradients(workspace, slices, stride, channels, dGamma, dBeta);
  }
}

/** Bytes per channel of one slice's group-normalisation workspace: dβ and dγ sums (f64), the channel sums and their scratch, four f32 arrays. */
const GROUP_NORM_BYTES_PER_CHANNEL = 56;

/** Bytes per channel of one slice's sums and their scratch: two f64 sums and two f32 blocks (batch normalisation's backward sums need the most). */
const CHANNEL_SUMS_BYTES_PER_CHANNEL = 24;

/** Flops a normalisation pass costs per element, as the pool's minimum work counts them (loads and stores dominate). */
const NORMALISATION_PASS_COST = 4;
