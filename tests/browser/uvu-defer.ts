// Imported before any test file in the page's kernel-test bundle: uvu then queues the tests
// (one group) instead of running them at once, and uvu-run.ts runs them all.
const uvu = globalThis as { UVU_DEFER?: number; UVU_QUEUE?: unknown[][] };
uvu.UVU_DEFER = 1;
uvu.UVU_QUEUE = [['kernels (in the browser)']];
