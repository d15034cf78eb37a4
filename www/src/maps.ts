// Drawing tensors as pictures: feature maps in grey (bright = large), filters in blue/red
// (negative/positive), vectors as a grid of cells.

/** A canvas of h×w cells, each `zoom` pixels, coloured by `color(value)` as [r, g, b]. */
function cellsCanvas(values: ArrayLike<number>, h: number, w: number, zoom: number,
  color: (v: number) => [number, number, number], pick: (y: number, x: number) => number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  canvas.style.width = `${w * zoom}px`;
  canvas.style.height = `${h * zoom}px`;
  const g = canvas.getContext('2d')!;
  const image = g.createImageData(w, h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, gr, b] = color(values[pick(y, x)]);
      image.data.set([r, gr, b, 255], (y * w + x) * 4);
    }
  }
  g.putImageData(image, 0, 0);
  return canvas;
}

function range(values: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  return [lo, hi];
}

const grey = ([lo, hi]: [number, number]) => (v: number): [number, number, number] => {
  const t = hi > lo ? Math.round(((v - lo) / (hi - lo)) * 255) : 0;
  return [t, t, t];
};

const diverging = (limit: number) => (v: number): [number, number, number] => {
  const t = Math.min(1, Math.abs(v) / (limit || 1));
  const fade = Math.round(255 * (1 - t));
  return v >= 0 ? [255, fade, fade] : [fade, fade, 255];
};

/** Each channel of an [h, w, c] example (NHWC values) as its own grey canvas, scaled over all channels. */
export function featureMaps(values: Float32Array, [h, w, c]: readonly number[], size = 56): HTMLCanvasElement[] {
  const zoom = Math.max(1, Math.round(size / Math.max(h, w)));
  const scale = grey(range(values));
  return Array.from({ length: c }, (_, k) => cellsCanvas(values, h, w, zoom, scale, (y, x) => (y * w + x) * c + k));
}

/** A vector as a near-square grid of grey cells. */
export function vectorMap(values: Float32Array, size = 120): HTMLCanvasElement {
  const w = Math.ceil(Math.sqrt(values.length)), h = Math.ceil(values.length / w);
  const zoom = Math.max(2, Math.round(size / w));
  const padded = Float32Array.from({ length: w * h }, (_, i) => values[i] ?? 0);
  return cellsCanvas(padded, h, w, zoom, grey(range(values)), (y, x) => y * w + x);
}

/** Conv kernels [kh, kw, inC, outC] (input channel 0) as blue/red canvases, one per output channel. */
export function filterMaps(kernel: Float32Array, [kh, kw, inC, outC]: readonly number[], size = 48): HTMLCanvasElement[] {
  const [lo, hi] = range(kernel);
  const paint = diverging(Math.max(-lo, hi));
  const zoom = Math.max(1, Math.round(size / Math.max(kh, kw)));
  return Array.from({ length: outC }, (_, k) => cellsCanvas(kernel, kh, kw, zoom, paint, (y, x) => ((y * kw + x) * inC) * outC + k));
}

/** A titled block of canvases, replacing what `container` held. */
export function showMaps(container: HTMLElement, title: string, detail: string, canvases: HTMLCanvasElement[]): void {
  const heading = document.createElement('h3');
  heading.append(title, ' ');
  const small = document.createElement('small');
  small.textContent = detail;
  heading.append(small);
  const grid = document.createElement('div');
  grid.className = 'maps';
  grid.append(...canvases);
  container.replaceChildren(heading, grid);
}
