/** Flops an elementwise kernel costs per element, as the pool's minimum work counts them (tanh and sigmoid call exp). */
export const ELEMENTWISE_COST = 4;
