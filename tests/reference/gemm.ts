// Naive reference for the matrix product: the definition, one dot product per element, in f64.

/** op(A)·op(B) (+ c when given); A is [m, k] or [k, m] when transposeA, B is [k, n] or [n, k] when transposeB. */
export function matMul(
  a: Float32Array, b: Float32Array, m: number, k: number, n: number,
  transposeA: boolean, transposeB: boolean, c?: Float32Array,
): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const aip = transposeA ? a[p * m + i] : a[i * k + p];
        const bpj = transposeB ? b[j * k + p] : b[p * n + j];
        sum += aip * bpj;
      }
      out[i * n + j] = (c ? c[i * n + j] : 0) + sum;
    }
  }
  return out;
}
