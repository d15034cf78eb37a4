// ONNX node attributes as the writer makes them (AttributeProto's type codes: FLOAT 1, INT 2, STRING 3, INTS 7).
import type { onnx } from './proto/onnx.js';

export type Attribute = onnx.AttributeProto.$Properties;

export const floatAttribute = (name: string, f: number): Attribute => ({ name, type: 1, f });
export const intAttribute = (name: string, i: number): Attribute => ({ name, type: 2, i });
export const stringAttribute = (name: string, s: string): Attribute => ({ name, type: 3, s: new TextEncoder().encode(s) });
export const intsAttribute = (name: string, ints: number[]): Attribute => ({ name, type: 7, ints });
