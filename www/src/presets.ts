// Ready-made architectures for 28×28 digits. Convolutions and their ReLUs are separate layers
// so the Draw page can show the maps before and after the non-linearity.
import type { LayerConfig } from '../../src/index.js';

export const presets: Record<string, LayerConfig[]> = {
  'Small CNN (8 filters)': [
    { className: 'Conv2D', filters: 8, kernelSize: 5 },
    { className: 'ReLU' },
    { className: 'MaxPooling2D', poolSize: 2 },
    { className: 'Flatten' },
    { className: 'Dense', units: 10, activation: 'softmax' },
  ],
  'LeNet-style (two convolutions)': [
    { className: 'Conv2D', filters: 6, kernelSize: 5, padding: 'same' },
    { className: 'ReLU' },
    { className: 'MaxPooling2D', poolSize: 2 },
    { className: 'Conv2D', filters: 16, kernelSize: 5 },
    { className: 'ReLU' },
    { className: 'MaxPooling2D', poolSize: 2 },
    { className: 'Flatten' },
    { className: 'Dense', units: 64, activation: 'relu' },
    { className: 'Dense', units: 10, activation: 'softmax' },
  ],
  'Dense only (no convolution)': [
    { className: 'Flatten' },
    { className: 'Dense', units: 64, activation: 'relu' },
    { className: 'Dense', units: 10, activation: 'softmax' },
  ],
};

export const defaultPreset = Object.keys(presets)[0];
