// Every ONNX operator convas reads, by name: one table per family of operators.
import type { OpEntry } from '../context.js';
import { activationOperators } from './activation.js';
import { arithmeticOperators } from './arithmetic.js';
import { constantOperators } from './constants.js';
import { convOperators } from './conv.js';
import { denseOperators } from './dense.js';
import { depthToSpaceOperators } from './depth-to-space.js';
import { groupNormOperators } from './group-norm.js';
import { layerNormOperators } from './layer-norm.js';
import { normalizationOperators } from './normalization.js';
import { poolOperators } from './pool.js';
import { repeatOperators } from './repeat.js';
import { resizeOperators } from './resize.js';
import { shapeOperators } from './shape.js';
import { sliceOperators } from './slice.js';
import { unitNormOperators } from './unit-norm.js';

export const OPERATORS: Record<string, OpEntry> = {
  ...constantOperators, ...convOperators, ...denseOperators, ...activationOperators, ...poolOperators, ...arithmeticOperators, ...shapeOperators,
  ...normalizationOperators, ...layerNormOperators, ...groupNormOperators, ...resizeOperators, ...sliceOperators, ...repeatOperators, ...depthToSpaceOperators,
  ...unitNormOperators,
};
