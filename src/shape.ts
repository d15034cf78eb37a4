// Shapes are plain arrays of positive integers; these helpers validate and describe them.
import { ShapeError } from './errors.js';

export type Shape = readonly number[];

export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

export const formatShape = (shape: Shape): string => `[${shape.join(', ')}]`;

/** Throws a ShapeError unless every dimension is a positive integer. */
export function checkShape(shape: Shape, what: string): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ShapeError(`${what}: shape ${JSON.stringify(shape)} is not valid; expected an array of positive integers`);
  }
}
