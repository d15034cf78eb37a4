// Shapes are plain arrays of positive integers; these helpers validate and describe them.
import { ShapeError } from './errors.js';
import { shownValue } from './shown-value.js';

export type Shape = readonly number[];

export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

export const formatShape = (shape: Shape): string => `[${shape.join(', ')}]`;

/** True for an array of positive integers (empty allowed: a scalar). */
export const isShape = (shape: unknown): shape is Shape =>
  Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 1);

/** An example's shape: at least one dimension, every one a positive integer. */
export const isExampleShape = (shape: unknown): shape is Shape => isShape(shape) && shape.length > 0;

/** Throws a ShapeError unless every dimension is a positive integer. */
export function checkShape(shape: Shape, what: string): void {
  if (!isShape(shape)) {
    throw new ShapeError(`${what}: shape ${shownValue(shape)} is not valid; expected an array of positive integers`);
  }
}
