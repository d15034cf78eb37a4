// Class weights reach the loss kernels as one f32 per row; 0 for the pointer means every row weighs 1.
// A helper, not a kernel: index.ts does not export this file.

/** Row r's weight, or 1 when there are no row weights (multiplying by it then changes no bit). */
// @ts-ignore: decorator
@inline export function rowWeight(rowWeights: usize, r: i32): f32 {
  return rowWeights == 0 ? 1 : load<f32>(rowWeights + (<usize>r << 2));
}
