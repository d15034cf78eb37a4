// Hand-made 3×3 image kernels for the Explain page, row by row.
export const handMadeKernels: Record<string, number[]> = {
  'vertical edge': [-1, 0, 1, -2, 0, 2, -1, 0, 1],
  'horizontal edge': [-1, -2, -1, 0, 0, 0, 1, 2, 1],
  'diagonal edge': [0, 1, 2, -1, 0, 1, -2, -1, 0],
  outline: [-1, -1, -1, -1, 8, -1, -1, -1, -1],
  sharpen: [0, -1, 0, -1, 5, -1, 0, -1, 0],
  blur: [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16),
};
