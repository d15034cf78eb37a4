// The progress display: a bar redrawn in place on a terminal, one plain line per epoch elsewhere;
// the same for loading images, with warnings that do not garble the bar.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EmbeddingProgress, LoadingProgress, ProgressReporter } from '../../src/cli/progress.js';

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

/** Loads 5 images, 60 ms each, the third skipped; returns what went to the output and to the warnings. */
function load(isTTY: boolean) {
  const out: string[] = [], warnings: string[] = [];
  let clock = 0;
  const loading = new LoadingProgress({ isTTY, columns: 100, write: (t) => out.push(t) }, { write: (t) => warnings.push(t) }, () => clock);
  for (let i = 1; i <= 5; i++) {
    clock += 60;
    if (i === 3) loading.warning(`dir/${i}.jpg: skipped (corrupt)`);
    loading.progress(i, 5, `dir/${i}.jpg`);
  }
  return { out, warnings, summary: loading.finish() };
}

test('loading images, not a terminal: nothing until the summary; warnings go to their own stream', () => {
  const { out, warnings, summary } = load(false);
  assert.equal(out, []);
  assert.equal(warnings, ['convas: warning: dir/3.jpg: skipped (corrupt)\n']);
  assert.is(summary, 'Loaded 4 images in 0.3 s (1 skipped: see the warnings)');
});

test('loading images on a terminal: a bar with the count, ETA and file, cleared for a warning and at the end', () => {
  const { out } = load(true);
  // Draws the first image at once, then at most every 100 ms (image 3), the last always; clears before the warning and at the end.
  assert.ok(out[0].startsWith('\r\x1b[2Kloading images ') && out[0].includes('1/5  ETA 0s  dir/1.jpg'), out[0]);
  assert.is(out[1], '\r\x1b[2K', 'cleared for the warning');
  assert.ok(out[2].includes('3/5') && out[2].includes('dir/3.jpg'), out[2]);
  assert.ok(out.some((t) => t.includes('5/5') && t.includes('█'.repeat(10))), out.join('|'));
  assert.is(out[out.length - 1], '\r\x1b[2K', 'cleared at the end');
  assert.not.ok(out.some((t) => t.includes('\n')), 'the bar stays on one line');
});

test('computing embeddings: a bar on a terminal (count and ETA), cleared at the end; elsewhere only the summary', () => {
  for (const isTTY of [false, true]) {
    const out: string[] = [];
    let clock = 0;
    const embedding = new EmbeddingProgress({ isTTY, columns: 100, write: (t) => out.push(t) }, () => clock);
    for (const done of [32, 64, 96, 100]) {
      clock += 150;
      embedding.progress(done, 100);
    }
    assert.is(embedding.finish(), 'Computed the embeddings of 100 images in 0.6 s');
    if (!isTTY) {
      assert.equal(out, []);
      continue;
    }
    assert.ok(out[0].startsWith('\r\x1b[2Kcomputing embeddings ') && out[0].includes('32/100  ETA 0s'), out[0]);
    assert.ok(out[3].includes('100/100') && out[3].includes('█'.repeat(10)), out[3]);
    assert.is(out.at(-1), '\r\x1b[2K', 'cleared at the end');
  }
});

test.run();
