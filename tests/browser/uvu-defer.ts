// Imported before any test file in a test page's bundle (kernels, layers): uvu then queues the tests
// (one group) instead of running them at once, and uvu-run.ts runs them all.
const uvu = globalThis as { UVU_DEFER?: number; UVU_QUEUE?: unknown[][] };
uvu.UVU_DEFER = 1;
uvu.UVU_QUEUE = [['in the browser']];
