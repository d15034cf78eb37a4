// The activation a convolution applies inside its kernel, on the outputs' way out (FUSED_ACTIVATION):
// the layer's ActivationFunction then hands the kernel's output through and takes the derivative from it.
import { FUSED_ACTIVATION } from '../backend/kernels.js';
import { ActivationFunction, type ActivationName } from './activation-function.js';

/** The kernel's code for `name`, or none when the activation runs as a pass of its own. */
export const fusedActivationCode = (name: ActivationName): number => (name === 'relu' ? FUSED_ACTIVATION.relu : FUSED_ACTIVATION.none);

/** A convolution's activation, applied by its kernel where the kernel can. */
export const convolutionActivation = (name: ActivationName) => new ActivationFunction(name, fusedActivationCode(name) !== FUSED_ACTIVATION.none);
