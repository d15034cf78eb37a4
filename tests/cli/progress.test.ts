// The progress display: a bar redrawn in place on a terminal, one plain line per epoch elsewhere.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProgressReporter } from '../../src/cli/progress.js';

/** Runs 2 epochs of 4 batches of 10 images, 50 ms a batch, and returns what was written. */
function run(isTTY: boolean): string[] {
  const written: string[] = [];
  let clock = 0;
  const progress = new ProgressReporter({ isTTY, columns: 120, write: (t) => written.push(t) }, 2, 4, () => clock);
  progress.start();
  for (let epoch = 0; epoch < 2; epoch++) {
    for (let batch = 0; batch < 4; batch++) {
      clock += 50;
      progress.batchEnd(batch, { loss: 0.5 - 0.1 * batch, acc: 0.25 * batch, size: 10 });
    }
    progress.epochEnd(epoch, { loss: 0.25, acc: 0.875 });
  }
  return written;
}

test('not a terminal: exactly one plain line per epoch', () => {
  assert.equal(run(false), [
    'epoch 1/2  loss 0.2500  acc 87.50%  0.2s  200 img/s\n',
    'epoch 2/2  loss 0.2500  acc 87.50%  0.2s  200 img/s\n',
  ]);
});

test('terminal: the bar is redrawn in place at most every 100 ms, and the epoch line replaces it', () => {
  const written = run(true);
  // Per epoch: batch 2 (100 ms after the epoch began), batch 4 (the last, always drawn), then the epoch line.
  assert.is(written.length, 6);
  assert.ok(written.every((t) => t.startsWith('\r\x1b[2K')), 'each draw returns to the line start and clears it');
  assert.ok(written[0].includes('2/4') && written[0].includes('ETA 0s') && written[0].includes('loss 0.4000') && written[0].includes('acc 25.00%'), written[0]);
  assert.ok(written[0].includes('200 img/s'), written[0]);
  assert.ok(written[1].includes('4/4') && written[1].includes('█'.repeat(30)) && !written[1].includes('░'), written[1]);
  assert.is(written[2], '\r\x1b[2Kepoch 1/2  loss 0.2500  acc 87.50%  0.2s  200 img/s\n');
  assert.ok(written[3].startsWith('\r\x1b[2Kepoch 2/2'), written[3]);
  assert.not.ok(written.slice(0, 2).some((t) => t.includes('\n')), 'the bar stays on one line');
});

test('terminal: the bar never wraps a narrow terminal', () => {
  const written: string[] = [];
  const progress = new ProgressReporter({ isTTY: true, columns: 40, write: (t) => written.push(t) }, 1, 2, () => 0);
  progress.start();
  progress.batchEnd(1, { loss: 1, acc: 0, size: 1 });
  assert.is(written[0].length, '\r\x1b[2K'.length + 39);
});

test.run();
