// A model loaded with inputLayout 'NCHW' takes and gives images channels-first: a Permute to
// channels-last right after each image input, and one back before each image output. ONNX's
// images are channels-first already, so in a file those permutes are nothing at the graph's ends:
// the input is declared [N, C, H, W] as given and its permute written as no node, and an output
// permute read by nothing else leaves the graph's output its input. The file then takes and gives
// what the model does (and what the file it came from did).
import type { Layer, Model } from '../index.js';

/** Permute's dims from channels-first [c, h, w] to channels-last [h, w, c], and back. */
const TO_CHANNELS_LAST = '2,3,1';
const TO_CHANNELS_FIRST = '3,1,2';

const permutesTo = (layer: Layer, dims: string) =>
  layer.getConfig().className === 'Permute' && String(layer.getConfig().dims) === dims;

export interface ChannelsFirstEnds {
  /** The model inputs (by index) declared channels-first. */
  inputs: Set<number>;
  /** The model outputs (by index) given channels-first: their permute's input is the graph's output. */
  outputs: Set<number>;
  /** Permutes written as no node: each stands for the value it reads. */
  skipped: Set<Layer>;
}

export function channelsFirstEnds(model: Model): ChannelsFirstEnds {
  const ends: ChannelsFirstEnds = { inputs: new Set(), outputs: new Set(), skipped: new Set() };
  const readersOf = (layer: Layer) => model.nodes.filter((node) => node.inputs.includes(layer));
  model.inputs.forEach((input, i) => {
    const readers = readersOf(input.sourceLayer);
    if (input.shape.length !== 3 || readers.length === 0 || !readers.every((r) => permutesTo(r.layer, TO_CHANNELS_LAST))) return;
    ends.inputs.add(i);
    for (const reader of readers) ends.skipped.add(reader.layer);
  });
  model.outputs.forEach((output, i) => {
    const layer = output.sourceLayer;
    const readOnce = model.outputs.filter((o) => o.sourceLayer === layer).length === 1 && readersOf(layer).length === 0;
    if (!permutesTo(layer, TO_CHANNELS_FIRST) || !readOnce || ends.skipped.has(layer)) return;
    ends.outputs.add(i);
    ends.skipped.add(layer);
  });
  return ends;
}
