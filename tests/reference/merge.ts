// Naive references for the merge layers, elementwise over inputs of one shape (add, multiply,
// average, maximum) and concatenation along an axis, forward and backward, in f64.

/** y = the inputs combined elementwise, by the layer's class name. */
export function mergeForward(className: string, xs: Float32Array[]): Float32Array {
  return xs[0].map((_, e) => {
    const values = xs.map((x) => x[e]);
    switch (className) {
      case 'Add': return values.reduce((a, b) => a + b, 0);
      case 'Multiply': return values.reduce((a, b) => a * b, 1);
      case 'Average': return values.reduce((a, b) => a + b, 0) / values.length;
      case 'Maximum': return Math.max(...values);
      default: throw new Error(`reference: no merge ${className}`);
    }
  });
}

/**
 * Each input's gradient: dy for add, dy/n for average, dy times the other inputs for multiply; for
 * maximum, dy goes to the first input that holds the maximum and 0 to the others.
 */
export function mergeBackward(className: string, xs: Float32Array[], y: Float32Array, dy: Float32Array): Float32Array[] {
  return xs.map((x, i) => x.map((_, e) => {
    switch (className) {
      case 'Add': return dy[e];
      case 'Average': return dy[e] / xs.length;
      case 'Multiply': return xs.reduce((product, other, j) => (j === i ? product : product * other[e]), dy[e]);
      case 'Maximum': return xs.findIndex((other) => other[e] === y[e]) === i ? dy[e] : 0;
      default: throw new Error(`reference: no merge ${className}`);
    }
  }));
}

/** Where Keras's `axis` (the batch is axis 0; −1 the last) lies in a per-example shape. */
const axisIndex = (axis: number, rank: number) => (axis < 0 ? rank + axis : axis - 1);

/** The per-example shape of the inputs joined along `axis`. */
export function concatenateShape(shapes: number[][], axis: number): number[] {
  const at = axisIndex(axis, shapes[0].length);
  return shapes[0].map((d, i) => (i === at ? shapes.reduce((n, s) => n + s[at], 0) : d));
}

/**
 * Calls visit(input, inputIndex, outputIndex) for every element: per example, the elements before
 * the axis are rows, and each input's part of a row comes after the parts of the inputs before it.
 */
function forEachElement(shapes: number[][], axis: number, batch: number, visit: (input: number, from: number, to: number) => void) {
  const at = axisIndex(axis, shapes[0].length);
  const rows = shapes[0].slice(0, at).reduce((a, b) => a * b, 1);
  const widths = shapes.map((s) => s.slice(at).reduce((a, b) => a * b, 1));
  const rowWidth = widths.reduce((a, b) => a + b, 0);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < rows; r++) {
      let offset = 0;
      widths.forEach((width, i) => {
        for (let k = 0; k < width; k++) visit(i, (b * rows + r) * width + k, (b * rows + r) * rowWidth + offset + k);
        offset += width;
      });
    }
  }
}

export function concatenateForward(xs: Float32Array[], shapes: number[][], axis: number, batch: number): Float32Array {
  const y = new Float32Array(xs.reduce((n, x) => n + x.length, 0));
  forEachElement(shapes, axis, batch, (i, from, to) => { y[to] = xs[i][from]; });
  return y;
}

/** Each input's gradient: its part of dy. */
export function concatenateBackward(dy: Float32Array, shapes: number[][], axis: number, batch: number): Float32Array[] {
  const dxs = shapes.map((s) => new Float32Array(batch * s.reduce((a, b) => a * b, 1)));
  forEachElement(shapes, axis, batch, (i, from, to) => { dxs[i][from] = dy[to]; });
  return dxs;
}
