// What the library knows of a layer class, in one place: how to make it from its config, and how
// its config maps to TensorFlow.js's. The registry, the TF.js reader and writer and the convas
// format all derive from these, so a new layer is its own file (with its descriptor) and its kernels.
import type { Layer, LayerConfig } from './layer.js';

export interface TfjsMapping {
  /** Keras settings taken over one to one (snake_case in the file, camelCase in convas). */
  options: string[];
  /** Spatial layers carry data_format ('channels_last': convas is NHWC) in their Keras config. */
  spatial?: boolean;
  /** Keras settings written with a fixed value, as convas implements them (e.g. dilation_rate 1). */
  written?: Record<string, unknown>;
  /**
   * Keras settings of this class's own meaning, free of the rules shared by settings of that name
   * (ZeroPadding2D's padding counts rows and columns; it is not a convolution's 'valid' or 'same'):
   * the writer leaves them to the class. (The reader leaves every mapped setting to its class.)
   */
  ownSettings?: string[];
  /** Other Keras names of mapped settings, read as them (Keras 3's LeakyReLU negative_slope is Keras 2's alpha). */
  kerasAliases?: Record<string, string>;
  /** convas settings Keras does not have, left out of the file (inexpressible refuses any value but Keras's meaning). */
  convasOnly?: string[];
  /** What of a config TensorFlow.js cannot express, for save(…, { format: 'tfjs' }) to refuse; undefined when it can. */
  inexpressible?(config: LayerConfig): string | undefined;
}

export interface LayerDescriptor {
  /** The class name in convas configs, which is TensorFlow.js's where it has the class. */
  className: string;
  fromConfig(config: LayerConfig): Layer;
  /** How the class reads and writes as a TensorFlow.js layer; absent when TF.js has no such class. */
  tfjs?: TfjsMapping;
}

/** A Keras initializer without settings ('Zeros', 'Ones') as TF.js writes it in a layer's config. */
export const kerasInitializer = (className: string) => ({ class_name: className, config: {} });
