// A canvas to draw a digit on with mouse, pen or touch, read back as a 28×28 input prepared the
// way MNIST digits were: the ink scaled into a 20×20 box, its centre of mass moved to the centre.
import { SIDE } from './digits.js';

const BOX = 20;

export interface DigitPad {
  clear(): void;
  /** Puts a SIDE×SIDE digit (values in 0..1, ink 1) on the pad, as if drawn: the pad's one use without a pointer. */
  show(digit: Float32Array): void;
  /** The drawing as SIDE×SIDE values in 0..1 (white ink is 1), or undefined while it is blank. */
  pixels(): Float32Array | undefined;
}

/**
 * `onChange` follows the drawing (once a frame while a stroke goes on); `onStrokeStart` hears each
 * stroke the user starts, and not a pointer the pad ignores (a second finger while one draws).
 */
export function createDigitPad(canvas: HTMLCanvasElement, onChange: () => void, onStrokeStart: () => void): DigitPad {
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  const clear = () => {
    g.fillStyle = '#000';
    g.fillRect(0, 0, canvas.width, canvas.height);
  };
  clear();
  // The stroke being drawn: the pointer drawing it and where it was last. One pointer draws at a
  // time: a second finger (or a palm resting on a touch screen) would otherwise join the two.
  let drawing: { pointer: number; last: [number, number] } | undefined;
  const point = (event: PointerEvent): [number, number] => {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) / box.width) * canvas.width, ((event.clientY - box.top) / box.height) * canvas.height];
  };
  canvas.addEventListener('pointerdown', (event) => {
    if (drawing) return;
    canvas.setPointerCapture(event.pointerId);
    drawing = { pointer: event.pointerId, last: point(event) };
    onStrokeStart();
    stroke(drawing.last);
  });
  canvas.addEventListener('pointermove', (event) => event.pointerId === drawing?.pointer && stroke(point(event)));
  const end = (event: PointerEvent) => {
    if (event.pointerId === drawing?.pointer) drawing = undefined;
  };
  // Lost capture too: a stroke whose end never arrives would otherwise leave the pad deaf to every other pointer.
  for (const type of ['pointerup', 'pointercancel', 'lostpointercapture'] as const) canvas.addEventListener(type, end);

  let pending = false;
  function stroke(to: [number, number]): void {
    g.strokeStyle = '#fff';
    g.lineWidth = canvas.width / 13;
    g.lineCap = g.lineJoin = 'round';
    g.beginPath();
    g.moveTo(...drawing!.last);
    g.lineTo(...to);
    g.stroke();
    drawing!.last = to;
    // One prediction per frame however many pointer events arrive.
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        onChange();
      });
    }
  }

  const show = (digit: Float32Array) => {
    const small = new ImageData(SIDE, SIDE);
    digit.forEach((v, i) => small.data.set([255 * v, 255 * v, 255 * v, 255], 4 * i));
    const source = document.createElement('canvas');
    [source.width, source.height] = [SIDE, SIDE];
    source.getContext('2d')!.putImageData(small, 0, 0);
    g.imageSmoothingEnabled = true;
    g.drawImage(source, 0, 0, canvas.width, canvas.height);
    onChange();
  };

  return { clear, show, pixels: () => centred(g, canvas) };
}

function centred(g: CanvasRenderingContext2D, canvas: HTMLCanvasElement): Float32Array | undefined {
  const { data, width, height } = g.getImageData(0, 0, canvas.width, canvas.height);
  let top = height, bottom = -1, left = width, right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[(y * width + x) * 4] > 0) {
        top = Math.min(top, y); bottom = Math.max(bottom, y);
        left = Math.min(left, x); right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) return undefined;
  const w = right - left + 1, h = bottom - top + 1, scale = BOX / Math.max(w, h);
  const small = document.createElement('canvas');
  small.width = small.height = SIDE;
  const s = small.getContext('2d', { willReadFrequently: true })!;
  s.imageSmoothingQuality = 'high';
  s.drawImage(canvas, left, top, w, h, (SIDE - w * scale) / 2, (SIDE - h * scale) / 2, w * scale, h * scale);
  const boxed = s.getImageData(0, 0, SIDE, SIDE).data;
  const ink = Float32Array.from({ length: SIDE * SIDE }, (_, i) => boxed[i * 4] / 255);
  let mass = 0, cx = 0, cy = 0;
  ink.forEach((v, i) => {
    mass += v;
    cx += v * (i % SIDE);
    cy += v * Math.floor(i / SIDE);
  });
  const dx = Math.round((SIDE - 1) / 2 - cx / mass), dy = Math.round((SIDE - 1) / 2 - cy / mass);
  const pixels = new Float32Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const sx = x - dx, sy = y - dy;
      if (sx >= 0 && sx < SIDE && sy >= 0 && sy < SIDE) pixels[y * SIDE + x] = ink[sy * SIDE + sx];
    }
  }
  return pixels;
}
