// Naive references for the elementwise kernels: the definitions, written as plainly as possible.

export const reluForward = (x: Float32Array) => x.map((v) => Math.max(v, 0));
export const reluBackward = (y: Float32Array, dy: Float32Array) => dy.map((g, i) => (y[i] > 0 ? g : 0));
