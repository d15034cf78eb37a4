// The batch-heavy kernels as layers call them, by family, each a file of jobs over the batch
// (job-writer.ts says how a call becomes a job, and why the bits are the same at any thread count).
import { Conv2dJobs } from './conv2d-jobs.js';
import { DenseJobs } from './dense-jobs.js';
import { DepthwiseConv2dJobs } from './depthwise-conv2d-jobs.js';
import { ElementwiseJobs } from './elementwise-jobs.js';
import type { JobRunner } from './job-runner.js';
import { JobWriter } from './job-writer.js';
import type { Kernels } from './kernels.js';
import type { Memory } from './memory.js';
import { NormalizationJobs } from './normalization-jobs.js';
import { PoolJobs } from './pool-jobs.js';
import { ResamplingJobs } from './resampling-jobs.js';
import { SharedScratch } from './shared-scratch.js';

export class ParallelKernels {
  readonly conv2d: Conv2dJobs;
  readonly depthwise: DepthwiseConv2dJobs;
  readonly pool: PoolJobs;
  readonly elementwise: ElementwiseJobs;
  readonly dense: DenseJobs;
  readonly resampling: ResamplingJobs;
  readonly normalization: NormalizationJobs;
  /** The scratch every layer's calls share (what conv2d's scratchBytes asks for is reserved here). */
  readonly scratch: SharedScratch;
  private readonly jobs: JobWriter;

  constructor(kernels: Kernels, runner: JobRunner, memory: Memory) {
    this.scratch = new SharedScratch(memory);
    const jobs = new JobWriter(kernels, runner, this.scratch);
    this.jobs = jobs;
    this.conv2d = new Conv2dJobs(jobs);
    this.depthwise = new DepthwiseConv2dJobs(jobs);
    this.pool = new PoolJobs(jobs);
    this.elementwise = new ElementwiseJobs(jobs);
    this.dense = new DenseJobs(jobs);
    this.resampling = new ResamplingJobs(jobs);
    this.normalization = new NormalizationJobs(jobs);
  }

  get threads(): number {
    return this.jobs.threads;
  }
}
