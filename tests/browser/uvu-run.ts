// Imported after the test files: runs the queued tests. uvu reports through console.log, which
// the browser test reads; `kernelTestsDone` tells it the report is complete.
import { exec } from 'uvu';

await exec();
(globalThis as { kernelTestsDone?: boolean }).kernelTestsDone = true;
