// Naive references for Winograd's F(4×4, r×r) (assembly/winograd.ts), in f64: the matrices built
// from their definition (Toom-Cook on the interpolation points), the filter transform, and the whole
// convolution through the transforms, tile by tile, to show that the matrices compute the convolution.

/** Interpolation points for r = 3 (α = 6) and r = 5 (α = 8); the point at infinity comes last. */
const POINTS: Record<number, number[]> = { 3: [0, 1, -1, 2, -2], 5: [0, 1, -1, 2, -2, 0.5, -0.5] };
export const WINOGRAD_TILE = 4;

/** Coefficients, lowest power first, of Π over roots of (x − root). */
function polynomial(roots: number[]): number[] {
  let c = [1];
  for (const root of roots) {
    const next = new Array<number>(c.length + 1).fill(0);
    c.forEach((v, i) => {
      next[i + 1] += v;
      next[i] -= root * v;
    });
    c = next;
  }
  return c;
}

/** Aᵀ (4 × α), G (α × r) and Bᵀ (α × α) for kernel side r. */
export function winogradMatrices(r: number): { at: number[][]; g: number[][]; bt: number[][]; alpha: number } {
  const points = POINTS[r];
  const n = points.length, alpha = n + 1, m = WINOGRAD_TILE;
  const at = Array.from({ length: m }, (_, i) => Array.from({ length: alpha }, (_, j) => (j < n ? points[j] ** i : i === m - 1 ? 1 : 0)));
  const g = Array.from({ length: alpha }, (_, j) => Array.from({ length: r }, (_, k) => {
    if (j === n) return k === r - 1 ? 1 : 0;
    const scale = points.reduce((product, p, l) => (l === j ? product : product * (points[j] - p)), 1);
    return points[j] ** k / scale;
  }));
  const bt = Array.from({ length: alpha }, (_, j) => {
    const c = polynomial(j < n ? points.filter((_, l) => l !== j) : points);
    return Array.from({ length: alpha }, (_, i) => c[i] ?? 0);
  });
  return { at, g, bt, alpha };
}

/** L·S·Lᵀ for a matrix L (rows × inner) and a square S (inner × inner). */
function sandwich(l: number[][], s: number[][]): number[][] {
  const half = l.map((row) => s[0].map((_, c) => row.reduce((sum, v, k) => sum + v * s[k][c], 0)));
  return half.map((row) => l.map((other) => row.reduce((sum, v, k) => sum + v * other[k], 0)));
}

/**
 * U[position][ci][co] = (G·g[·, ·, ci, co]·Gᵀ)[position] for a [r, r, inChannels, outChannels] filter;
 * turned: of the backward-input pass's filter (turned 180°, channel axes swapped: [outChannels][inChannels]).
 */
export function winogradFilterTransform(filter: Float32Array, r: number, inChannels: number, outChannels: number, turned: boolean): Float64Array[][] {
  const { g, alpha } = winogradMatrices(r);
  const [ins, outs] = turned ? [outChannels, inChannels] : [inChannels, outChannels];
  const u = Array.from({ length: alpha * alpha }, () => Array.from({ length: ins }, () => new Float64Array(outs)));
  for (let a = 0; a < ins; a++) {
    for (let b = 0; b < outs; b++) {
      const taps = Array.from({ length: r }, (_, ky) => Array.from({ length: r }, (_, kx) => turned
        ? filter[(((r - 1 - ky) * r + (r - 1 - kx)) * inChannels + b) * outChannels + a]
        : filter[((ky * r + kx) * inChannels + a) * outChannels + b]));
      sandwich(g, taps).flat().forEach((v, position) => { u[position][a][b] = v; });
    }
  }
  return u;
}

/**
 * The stride-1 convolution of x [batch, inHeight, inWidth, inChannels] (padTop, padLeft zeros before)
 * with a square r×r filter to [batch, outHeight, outWidth, outChannels], through the transforms:
 * per 4×4 output tile, Aᵀ·[Σ over ci of U ⊙ (Bᵀ·d·B)]·A, in f64.
 */
export function winogradConv2d(x: Float32Array, filter: Float32Array, r: number,
  [batch, inHeight, inWidth, inChannels]: number[], [outHeight, outWidth, outChannels]: number[], padTop: number, padLeft: number): Float64Array {
  const { at, bt, alpha } = winogradMatrices(r);
  const u = winogradFilterTransform(filter, r, inChannels, outChannels, false);
  const y = new Float64Array(batch * outHeight * outWidth * outChannels);
  const pixel = (n: number, iy: number, ix: number, c: number) =>
    iy < 0 || iy >= inHeight || ix < 0 || ix >= inWidth ? 0 : x[((n * inHeight + iy) * inWidth + ix) * inChannels + c];
  for (let n = 0; n < batch; n++) {
    for (let ty = 0; ty < outHeight; ty += WINOGRAD_TILE) {
      for (let tx = 0; tx < outWidth; tx += WINOGRAD_TILE) {
        const v = Array.from({ length: inChannels }, (_, c) => {
          const d = Array.from({ length: alpha }, (_, i) => Array.from({ length: alpha }, (_, j) => pixel(n, ty + i - padTop, tx + j - padLeft, c)));
          return sandwich(bt, d).flat();
        });
        for (let co = 0; co < outChannels; co++) {
          const m = Array.from({ length: alpha }, (_, i) => Array.from({ length: alpha }, (_, j) =>
            v.reduce((sum, vc, c) => sum + u[i * alpha + j][c][co] * vc[i * alpha + j], 0)));
          const tile = sandwich(at, m);
          for (let i = 0; i < WINOGRAD_TILE && ty + i < outHeight; i++) {
            for (let j = 0; j < WINOGRAD_TILE && tx + j < outWidth; j++) y[((n * outHeight + ty + i) * outWidth + tx + j) * outChannels + co] = tile[i][j];
          }
        }
      }
    }
  }
  return y;
}
