// Progress of training and of loading images. On a terminal: a bar redrawn in place; elsewhere
// (CI, logs, pipes): one plain line per finished epoch or load, so logs stay readable.
import type { Logs } from '../model/model.js';

export interface ProgressTarget {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const REDRAW_EVERY_MS = 100;
const MIN_BAR = 10;
const MAX_BAR = 30;

export class ProgressReporter {
  private epoch = 0;
  private epochStart = 0;
  private lastDraw = 0;
  private imagesSeen = 0;

  constructor(
    private readonly out: ProgressTarget,
    private readonly epochs: number,
    private readonly batchesPerEpoch: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts the clock of the first epoch (`epoch`, 0-based, when a run resumes); call it right before training. */
  start(epoch = 0): void {
    this.epoch = epoch;
    this.startEpoch();
  }

  batchEnd(batch: number, logs: Logs & { size: number }): void {
    this.imagesSeen += logs.size;
    if (!this.out.isTTY) return;
    const now = this.now();
    const done = batch + 1;
    if (done < this.batchesPerEpoch && now - this.lastDraw < REDRAW_EVERY_MS) return;
    this.lastDraw = now;
    const elapsed = (now - this.epochStart) / 1000;
    const eta = (elapsed / done) * (this.batchesPerEpoch - done);
    const status = `${done}/${this.batchesPerEpoch}  ETA ${eta.toFixed(0)}s  ${describeLogs(logs)}  ${this.speed(elapsed)}`;
    drawBar(this.out, this.epochLabel(this.epoch), done / this.batchesPerEpoch, status);
  }

  epochEnd(epoch: number, logs: Logs): void {
    const elapsed = (this.now() - this.epochStart) / 1000;
    const line = `${this.epochLabel(epoch)}  ${describeLogs(logs)}  ${elapsed.toFixed(1)}s  ${this.speed(elapsed)}`;
    this.out.write(this.out.isTTY ? `\r\x1b[2K${line}\n` : `${line}\n`);
    this.epoch = epoch + 1;
    this.startEpoch();
  }

  private startEpoch(): void {
    this.epochStart = this.lastDraw = this.now();
    this.imagesSeen = 0;
  }

  private epochLabel(epoch: number): string {
    const width = String(this.epochs).length;
    return `epoch ${String(epoch + 1).padStart(width)}/${this.epochs}`;
  }

  private speed(seconds: number): string {
    return `${Math.round(this.imagesSeen / Math.max(seconds, 1e-3))} img/s`;
  }
}

function describeLogs(logs: Logs): string {
  const heldOut = logs.val_loss === undefined ? '' : `  held-out loss ${logs.val_loss.toFixed(4)}  acc ${(logs.val_acc! * 100).toFixed(2)}%`;
  return `loss ${logs.loss.toFixed(4)}  acc ${(logs.acc * 100).toFixed(2)}%${heldOut}`;
}

/** A bar line on `out`: label, bar, status; the bar takes the room the terminal has left, and the line is cut so it never wraps. */
function drawBar(out: ProgressTarget, label: string, fraction: number, status: string): void {
  const columns = (out.columns ?? 100) - 1;
  const barWidth = Math.min(MAX_BAR, Math.max(MIN_BAR, columns - label.length - status.length - 2));
  const filled = Math.round(fraction * barWidth);
  const bar = '█'.repeat(filled) + '░'.repeat(barWidth - filled);
  // \r and "erase line": the bar is redrawn where it is.
  out.write(`\r\x1b[2K${`${label} ${bar} ${status}`.slice(0, columns)}`);
}

/** A bar for work counted in items (images loaded, embeddings computed), redrawn at most every REDRAW_EVERY_MS on a terminal. */
class CountBar {
  private readonly start: number;
  private lastDraw = -Infinity;
  private drawn = false;

  constructor(private readonly out: ProgressTarget, private readonly label: string, private readonly now: () => number) {
    this.start = now();
  }

  update(done: number, total: number, detail = ''): void {
    if (!this.out.isTTY) return;
    const now = this.now();
    if (done < total && now - this.lastDraw < REDRAW_EVERY_MS) return;
    this.lastDraw = now;
    const elapsed = (now - this.start) / 1000;
    const eta = (elapsed / done) * (total - done);
    drawBar(this.out, this.label, done / total, `${done}/${total}  ETA ${eta.toFixed(0)}s${detail ? `  ${detail}` : ''}`);
    this.drawn = true;
  }

  /** Erases the bar, if one is drawn. */
  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }

  get seconds(): string {
    return ((this.now() - this.start) / 1000).toFixed(1);
  }
}

/**
 * Loading a folder of images: on a terminal a bar (images, ETA, the file being read); warnings
 * (skipped files) go to `warnings` without garbling it. finish() clears the bar and says what was loaded.
 */
export class LoadingProgress {
  private readonly bar: CountBar;
  private done = 0;
  private skipped = 0;

  constructor(out: ProgressTarget, private readonly warnings: ProgressTarget, now: () => number = () => performance.now()) {
    this.bar = new CountBar(out, 'loading images', now);
  }

  readonly progress = (done: number, total: number, file: string): void => {
    this.done = done;
    this.bar.update(done, total, file);
  };

  readonly warning = (message: string): void => {
    this.skipped++;
    this.bar.clear();
    this.warnings.write(`convas: warning: ${message}\n`);
  };

  /** Clears the bar; the summary line to print. */
  finish(): string {
    this.bar.clear();
    return `Loaded ${this.done - this.skipped} images in ${this.bar.seconds} s${this.skipped ? ` (${this.skipped} skipped: see the warnings)` : ''}`;
  }
}

/** Running a frozen base over the images once (embed): a bar on a terminal; finish() says how many and how long. */
export class EmbeddingProgress {
  private readonly bar: CountBar;
  private done = 0;

  constructor(out: ProgressTarget, now: () => number = () => performance.now()) {
    this.bar = new CountBar(out, 'computing embeddings', now);
  }

  readonly progress = (done: number, total: number): void => {
    this.done = done;
    this.bar.update(done, total);
  };

  /** Clears the bar; the summary line to print. */
  finish(): string {
    this.bar.clear();
    return `Computed the embeddings of ${this.done} images in ${this.bar.seconds} s`;
  }
}
