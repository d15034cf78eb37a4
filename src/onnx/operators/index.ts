// Every ONNX operator convas reads, by name: one table per family of operators.
import type { OpEntry } from '../context.js';
import { activationOperators } from './activation.js';
import { arithmeticOperators } from './arithmetic.js';
import { constantOperators } from './constants.js';
import { convOperators } from './conv.js';
import { denseOperators } from './dense.js';
import { poolOperators } from './pool.js';
import { shapeOperators } from './shape.js';

export const OPERATORS: Record<string, OpEntry> = {
  ...constantOperators, ...convOperators, ...denseOperators, ...activationOperators, ...poolOperators, ...arithmeticOperators, ...shapeOperators,
};
