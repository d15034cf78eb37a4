// TF.js writes SeparableConv2D without depth_multiplier (its getConfig leaves the setting out, and
// its reader takes the absence as 1), so TF.js's own file of a layer with depthMultiplier 2 states
// the multiplier only in the shape of the layer's depthwise_kernel, [kh, kw, channels, depthMultiplier].
// Where a config gives none, it is read from there; a config that gives one keeps it (the manifest
// is then checked against the layers as any weight is).
import { type GraphConfig, type GraphLayerConfig, isGraphClass } from '../model/graph-config.js';
import type { JsonObject } from './json-fields.js';

/** The shape each weight of the manifest lists, by name; entries that are not objects with a name and a shape are left for the reader to refuse. */
function manifestShapes(json: JsonObject): Map<string, unknown> {
  const shapes = new Map<string, unknown>();
  const groups = Array.isArray(json.weightsManifest) ? json.weightsManifest : [];
  for (const group of groups) {
    const weights = (group as JsonObject | null)?.weights;
    for (const spec of Array.isArray(weights) ? weights : []) {
      const { name, shape } = (spec ?? {}) as JsonObject;
      if (typeof name === 'string') shapes.set(name, shape);
    }
  }
  return shapes;
}

/** The depth multiplier a depthwise kernel's listed shape gives: its last dimension, when it is a positive integer of a 4-D shape. */
function multiplierOf(shape: unknown): number | undefined {
  if (!Array.isArray(shape) || shape.length !== 4) return undefined;
  const multiplier = shape[3];
  return Number.isInteger(multiplier) && multiplier > 0 ? multiplier : undefined;
}

function withMultipliers(config: GraphConfig, shapes: ReadonlyMap<string, unknown>): GraphConfig {
  const layers = config.layers.map((layer): GraphLayerConfig => {
    if (isGraphClass(layer.className)) return { ...layer, ...withMultipliers(layer as unknown as GraphConfig, shapes) };
    if (layer.className !== 'SeparableConv2D' || layer.depthMultiplier !== undefined) return layer;
    const depthMultiplier = multiplierOf(shapes.get(`${layer.name}/depthwise_kernel`));
    return depthMultiplier === undefined ? layer : { ...layer, depthMultiplier };
  });
  return { ...config, layers };
}

/** `config` (read from the file `json`) with each SeparableConv2D's missing depth multiplier taken from its depthwise kernel's listed shape. */
export const withSeparableDepthMultipliers = (config: GraphConfig, json: JsonObject): GraphConfig => withMultipliers(config, manifestShapes(json));
