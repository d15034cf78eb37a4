// Class weights on a loss, naively: each row's loss computed alone and multiplied by its weight,
// summed and divided by the row count (Keras's reduction); the batch's gradient with each row
// scaled by its weight.
type LossReference = (outputs: Float32Array, targets: Float32Array, rows: number, cols: number) => { loss: number; gradient: Float32Array };

export function weightedLoss(reference: LossReference, outputs: Float32Array, targets: Float32Array, rows: number, cols: number,
  weights: Float32Array): { loss: number; gradient: Float32Array } {
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const row = (m: Float32Array) => m.slice(r * cols, (r + 1) * cols);
    loss += weights[r] * reference(row(outputs), row(targets), 1, cols).loss;
  }
  const gradient = reference(outputs, targets, rows, cols).gradient.map((g, i) => g * weights[Math.floor(i / cols)]);
  return { loss: loss / rows, gradient };
}
