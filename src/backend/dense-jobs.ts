// The matrix products of dense layers, as jobs (job-writer.ts): x·W and dy·Wᵀ split by rows, xᵀ·dy
// summed over the batch into partial sums (fewer slices for the largest: batch-slices.ts). Each
// thread takes its matMul scratch from the layer's workspace (workspaceFloats), an equal share of it,
// the same in every product.
import { alignBytes } from './alignment.js';
import { sumSlices } from './batch-slices.js';
import type { JobWriter } from './job-writer.js';

export class DenseJobs {
  constructor(private readonly jobs: JobWriter) {}

  /**
   * Floats of workspace a dense layer of inputs → outputs needs for batches of up to `batch`: one
   * matMul scratch per thread, for x·W, and with `backward` for the largest of its three products.
   */
  workspaceFloats(batch: number, inputs: number, outputs: number, backward: boolean): number {
    const stride = backward ? this.scratchStride(batch, inputs, outputs) : this.matMulScratchStride(inputs, outputs);
    return (stride * this.jobs.threads) / 4;
  }

  /** Floats of the partial weight gradients weightGradient adds up. */
  partialSumsFloats(inputs: number, outputs: number): number {
    return (this.partialBytes(inputs, outputs) * (sumSlices(inputs * outputs) - 1)) / 4;
  }

  /**
   * C[m, n] = A·op(B), A stored [m, k], split by rows of A and C (op(B) = Bᵀ when transposeB ≠ 0): one
   * of a dense layer's products, its scratch from the layer's workspace (`workspaceFloats` floats at
   * `workspace`, as workspaceFloats planned them).
   */
  matMulByRows(a: number, b: number, c: number, m: number, k: number, n: number, transposeB: number, workspace: number, workspaceFloats: number): void {
    // Slices are whole groups of the kernel's 4-row tiles: a slice of fewer rows would compute a full tile anyway.
    const slices = this.jobs.startPerThread(Math.ceil(m / MATMUL_TILE_ROWS));
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      const first = this.jobs.first * MATMUL_TILE_ROWS, rows = Math.min((this.jobs.first + this.jobs.count) * MATMUL_TILE_ROWS, m) - first;
      this.jobs.arg(a + first * k * 4).arg(b).arg(c + first * n * 4).arg(0).arg(rows).arg(k).arg(n).arg(0).arg(transposeB).arg(0);
    }
    this.runMatMul(2 * m * k * n, workspace, workspaceFloats);
  }

  /**
   * dW[inputs, outputs] = xᵀ·dy summed over the batch, x [batch, inputs] and dy [batch, outputs]:
   * slice 0 writes it, later slices a partial sum each into `partials` (partialSumsFloats).
   */
  weightGradient(x: number, dy: number, dW: number, partials: number, batch: number, inputs: number, outputs: number,
    workspace: number, workspaceFloats: number): void {
    const partialBytes = this.partialBytes(inputs, outputs), sums = sumSlices(inputs * outputs);
    const slices = this.jobs.start(batch, false, sums);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(x + this.jobs.first * inputs * 4).arg(dy + this.jobs.first * outputs * 4).arg(s === 0 ? dW : partials + (s - 1) * partialBytes).arg(0)
        .arg(inputs).arg(this.jobs.count).arg(outputs).arg(1).arg(0).arg(0);
    }
    this.runMatMul(2 * batch * inputs * outputs, workspace, workspaceFloats);
    this.jobs.addPartials(dW, partials, partialBytes, inputs * outputs, batch, sums);
  }

  private partialBytes(inputs: number, outputs: number): number {
    return alignBytes(inputs * outputs * 4);
  }

  /** Scratch per thread for the dense products: x·W (op(B) [inputs, outputs]), dy·Wᵀ ([outputs, inputs]) and xᵀ·dy ([batch, outputs]). */
  private scratchStride(batch: number, inputs: number, outputs: number): number {
    return Math.max(this.matMulScratchStride(inputs, outputs), this.matMulScratchStride(outputs, inputs), this.matMulScratchStride(batch, outputs));
  }

  private matMulScratchStride(k: number, n: number): number {
    return alignBytes(this.jobs.kernels.matMulScratchBytes(k, n));
  }

  /**
   * Runs the matMul job written, each thread's scratch an equal share of the layer's workspace, not a
   * stride for this product apart: the workspace holds the stride of each of the layer's products
   * per thread, so a share is never less, and a thread's scratch then starts at the same place in
   * x·W, dy·Wᵀ and xᵀ·dy (with a stride per product, thread 1's scratch in the two backward products
   * lay where thread 0's had been in x·W, up to 128 KiB of it).
   */
  private runMatMul(work: number, workspace: number, workspaceFloats: number): void {
    this.jobs.runSharingScratch('matMul', work, MATMUL_SCRATCH_ARG, workspace, workspaceFloats * 4);
  }
}

/** Rows of matMul's register tile (assembly/gemm.ts). */
const MATMUL_TILE_ROWS = 4;
/** matMul's argument that is its scratch. */
const MATMUL_SCRATCH_ARG = 3;
