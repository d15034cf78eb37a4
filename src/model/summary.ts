// model.summary(): a table of layers, output shapes and weight counts, and the totals split into
// trainable and non-trainable weights, as Keras prints it. Graph models also say what feeds each layer.
import type { Layer, Parameter } from '../layers/layer.js';
import { formatShape } from '../shape.js';

export interface SummaryRow {
  layer: Layer;
  /** The layers it reads, for graph models. */
  inputs?: string[];
}

const count = (params: readonly Parameter[]) => params.reduce((n, p) => n + p.size, 0);

export function summaryText(rows: SummaryRow[], trainable: readonly Parameter[], all: readonly Parameter[]): string {
  const graph = rows.some((r) => r.inputs !== undefined);
  const header = ['Layer (type)', 'Output shape', 'Params', ...(graph ? ['Connected to'] : [])];
  const cells = [header, ...rows.map(({ layer, inputs }) => [`${layer.name} (${layer.className})`,
    formatShape(['batch', ...layer.outputShape] as never), String(layer.parameterCount), ...(graph ? [(inputs ?? []).join(', ')] : [])])];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c].length)) + 2);
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('').trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b));
  const total = count(all), trained = count(trainable);
  return [rule, line(cells[0]), rule, ...cells.slice(1).map(line), rule,
    `Total params: ${total}`, `Trainable params: ${trained}`, `Non-trainable params: ${total - trained}`, rule].join('\n');
}
