// Training progress. On a terminal: a bar per epoch redrawn in place; elsewhere (CI, logs, pipes):
// one plain line per finished epoch, so logs stay readable.
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

  /** Starts the clock of the first epoch; call it right before training. */
  start(): void {
    this.epoch = 0;
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
    const label = this.epochLabel(this.epoch);
    const status = `${done}/${this.batchesPerEpoch}  ETA ${eta.toFixed(0)}s  ${describeLogs(logs)}  ${this.speed(elapsed)}`;
    // The bar takes the room the terminal has left, within limits; the line is cut so it never wraps.
    const columns = (this.out.columns ?? 100) - 1;
    const barWidth = Math.min(MAX_BAR, Math.max(MIN_BAR, columns - label.length - status.length - 2));
    const filled = Math.round((done / this.batchesPerEpoch) * barWidth);
    const bar = '█'.repeat(filled) + '░'.repeat(barWidth - filled);
    // \r and "erase line": the bar is redrawn where it is.
    this.out.write(`\r\x1b[2K${`${label} ${bar} ${status}`.slice(0, columns)}`);
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
  return `loss ${logs.loss.toFixed(4)}  acc ${(logs.acc * 100).toFixed(2)}%`;
}
