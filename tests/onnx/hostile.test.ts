// Hostile and broken ONNX files: each is a FileFormatError naming the file and the problem, found
// before anything of a claimed size is allocated, and never a hang — truncated and mutated
// protobufs, initializers whose bytes disagree with their dims, cycles, values read but never
// produced, absurd dims, huge node counts, deep nesting, and operators or settings convas refuses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile } from 'node:fs/promises';
import { ConvasError, FileFormatError, init, loadModel } from '../../src/index.js';
import '../../src/onnx/index.js';
import { expectError } from '../data/expect-error.js';
import { random } from '../helpers.js';
import { type ModelSpec, type NodeSpec, encode, modelProto, onnxModel } from './builder.js';
import { fixturePath } from './fixtures.js';

const FILE = 'the model bytes';
const refused = (bytes: Uint8Array, detail: RegExp) => expectError(() => loadModel(bytes), FileFormatError, FILE, detail);

const conv = (extra: Partial<ModelSpec> = {}, node: Partial<NodeSpec> = {}): ModelSpec => ({
  inputs: [{ name: 'x', dims: ['N', 8, 6, 6] }], outputs: ['y'],
  nodes: [{ op: 'Conv', name: 'Conv_12', inputs: ['x', 'w'], outputs: ['y'], ...node }],
  initializers: { w: { dims: [4, 8, 3, 3], data: new Float32Array(288) } }, ...extra,
});

/** Protobuf bytes by hand: a length-delimited field. */
function field(number: number, body: Uint8Array): Uint8Array {
  const length: number[] = [];
  for (let n = body.length; ; n >>>= 7) {
    if (n < 0x80) { length.push(n); break; }
    length.push((n & 0x7f) | 0x80);
  }
  return Uint8Array.from([(number << 3) | 2, ...length, ...body]);
}

const repeated = (item: Uint8Array, times: number) => {
  const out = new Uint8Array(item.length * times);
  for (let i = 0; i < times; i++) out.set(item, i * item.length);
  return out;
};

/** Runs `body` and fails if it took longer than `seconds` (a hang would never end; this bounds the slow case). */
async function within<T>(seconds: number, what: string, body: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await body();
  const took = (performance.now() - start) / 1000;
  assert.ok(took < seconds, `${what} took ${took.toFixed(1)} s`);
  return result;
}

test.before(async () => {
  await init();
});

test('every truncation of a real model is a FileFormatError, quickly', async () => {
  const bytes = new Uint8Array(await readFile(fixturePath('squeezenet')));
  const rng = random(5);
  const cuts = [0, 1, 2, 3, 10, 100, bytes.length - 1, bytes.length - 2, ...Array.from({ length: 150 }, () => rng.int(1, bytes.length - 1))];
  await within(20, 'loading 158 truncations', async () => {
    for (const cut of cuts) {
      let error: unknown;
      await loadModel(bytes.slice(0, cut)).then((m) => m.dispose(), (e) => (error = e));
      assert.ok(error instanceof FileFormatError, `${cut} of ${bytes.length} bytes: ${error === undefined ? 'loaded' : `${(error as Error).name}: ${(error as Error).message}`}`);
    }
  });
});

test('initializers whose bytes disagree with their dims, and absurd dims, are refused before anything is allocated', async () => {
  const w = (dims: number[], data: Float32Array) => onnxModel(conv({ initializers: { w: { dims, data } } }));
  await refused(w([4, 8, 3, 3], new Float32Array(287)), /initializer "w" has dims \[4, 8, 3, 3\] \(288 values\), but holds 287/);
  await refused(w([4, 8, 3, 3], new Float32Array(289)), /initializer "w" has dims \[4, 8, 3, 3\] \(288 values\), but holds 289/);
  await refused(w([1e12, 1e12, 3, 3], new Float32Array(288)), /has dims \[1000000000000, 1000000000000, 3, 3\] \([\d.e+]+ values\), but holds 288/);
  await refused(w([-4, 8, 3, 3], new Float32Array(288)), /has dims \[-4, 8, 3, 3\]; expected non-negative integers/);
  await refused(w([2 ** 62, 1, 1, 1], new Float32Array(288)), /expected non-negative integers/);
  // raw_data of 288 floats whose length is not a whole number of floats.
  const odd = modelProto(conv());
  odd.graph!.initializer![0].rawData = new Uint8Array(1151);
  await refused(encode(odd), /has 1151 bytes of raw_data, not a whole number of FLOAT values/);
  const input = (dims: Array<number | string>) => onnxModel(conv({ inputs: [{ name: 'x', dims }] }));
  await refused(input(['N', 8, 1e9, 6]), /graph input "x" has dimension 2 1000000000; convas models have fixed sizes from 1 to 1048576/);
  await refused(input(['N', 8, 'height', 6]), /dimension 2 "height" \(variable\)/);
  await refused(input(['N', 8, 100000, 100000]), /Conv_12.*more than wasm memory can hold/);
  const nan = modelProto(conv());
  nan.graph!.initializer![0].rawData = new Uint8Array(new Float32Array(288).fill(Number.NaN).buffer);
  await refused(encode(nan), /node "Conv_12" \(Conv\): its kernel holds NaN at index 0; expected finite weights/);
});

test('a cycle and a value read but never produced are refused naming the node', async () => {
  await refused(onnxModel({
    inputs: [{ name: 'x', dims: ['N', 4] }], outputs: ['y'],
    nodes: [
      { op: 'Relu', name: 'first', inputs: ['x'], outputs: ['a'] }, { op: 'Add', name: 'loop', inputs: ['a', 'c'], outputs: ['b'] },
      { op: 'Relu', name: 'back', inputs: ['b'], outputs: ['c'] }, { op: 'Relu', name: 'last', inputs: ['c'], outputs: ['y'] },
    ],
  }), /node "(loop|back)" \((Add|Relu)\) is in a cycle/);
  await refused(onnxModel({ inputs: [{ name: 'x', dims: ['N', 4] }], outputs: ['y'], nodes: [{ op: 'Add', name: 'sum', inputs: ['x', 'ghost'], outputs: ['y'] }] }),
    /node "sum" \(Add\) reads "ghost", which no node, graph input or initializer produces/);
  await refused(onnxModel({ inputs: [{ name: 'x', dims: ['N', 4] }], outputs: ['y'],
    nodes: [{ op: 'Relu', name: 'one', inputs: ['x'], outputs: ['y'] }, { op: 'Tanh', name: 'two', inputs: ['x'], outputs: ['y'] }] }),
  /node "two" \(Tanh\) writes "y", which node "one" \(Relu\) also writes/);
  await refused(onnxModel({ inputs: [{ name: 'x', dims: ['N', 4] }], outputs: ['z'], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] }),
    /graph output "z" is produced by no node/);
});

test('constants computed at load time that would hold billions of values (a broadcast, a gather, a concatenation) are refused before anything is allocated, and quickly', async () => {
  // Two vectors, [k, 1] against [1, k], make k² values: a file of kilobytes asking for gigabytes.
  const crossed = (op: string, k: number, type: 'float' | 'int', inputs = ['a', 'b']) => {
    const vector = (dims: number[]) => ({ dims, data: type === 'float' ? new Float32Array(k).fill(1) : Array.from({ length: k }, (_, i) => i) });
    return onnxModel({
      inputs: [{ name: 'x', dims: ['N', 3] }], outputs: ['y'], initializers: { a: vector([k, 1]), b: vector([1, k]) },
      nodes: [{ op, name: 'grid', inputs, outputs: ['c'] }, { op: 'Mul', name: 'use', inputs: ['x', 'c'], outputs: ['y'] }],
    });
  };
  await within(5, 'refusing three broadcasts', async () => {
    await refused(crossed('Add', 70000, 'float'), /node "grid" \(Add\): broadcasts \[70000, 1\] with \[1, 70000\] to \[70000, 70000\], 4900000000 values; convas computes constants of at most 16777216/);
    await refused(crossed('Equal', 5000, 'int'), /node "grid" \(Equal\): broadcasts \[5000, 1\] with \[1, 5000\] to \[5000, 5000\], 25000000 values/);
    await refused(crossed('Where', 5000, 'int', ['a', 'b', 'b']), /node "grid" \(Where\): broadcasts \[5000, 1\] with \[1, 5000\] with \[1, 5000\] to \[5000, 5000\]/);
  });
  // A constant gathered by as many indices as it has values, or joined with itself thousands of times.
  const used = (node: NodeSpec, initializers: ModelSpec['initializers']) => onnxModel({
    inputs: [{ name: 'x', dims: ['N', 3] }], outputs: ['y'], initializers,
    nodes: [node, { op: 'Mul', name: 'use', inputs: ['x', 'c'], outputs: ['y'] }],
  });
  await within(5, 'refusing a gather and a concatenation', async () => {
    await refused(used({ op: 'Gather', name: 'pick', inputs: ['d', 'i'], outputs: ['c'], attributes: { axis: 0 } },
      { d: { dims: [1, 70000], data: new Float32Array(70000) }, i: { dims: [70000], data: new Array<number>(70000).fill(0) } }),
    /node "pick" \(Gather\): gathers \[1, 70000\] by 70000 indices to \[70000, 70000\], 4900000000 values; convas computes constants of at most 16777216/);
    await refused(used({ op: 'Concat', name: 'join', inputs: new Array<string>(2000).fill('d'), outputs: ['c'], attributes: { axis: 0 } },
      { d: { dims: [50000], data: new Float32Array(50000) } }), /node "join" \(Concat\): concatenates 2000 constants to \[100000000\], 100000000 values/);
  });
});

test('lists (shapes, axes, pads, repeats, starts and ends, scales, sizes) of another rank than 1, of the wrong length or naming an axis twice are refused naming the node, never read flat', async () => {
  const one = (node: NodeSpec, initializers: ModelSpec['initializers'], opset?: number) =>
    onnxModel({ inputs: [{ name: 'x', dims: ['N', 3, 4, 4] }], outputs: ['y'], nodes: [node], initializers, opset });
  const ints = (dims: number[], data: number[]) => ({ dims, data });
  // Each of these, read flat, is a list that fits the node: the file's dims are all that is wrong.
  await refused(one({ op: 'Tile', name: 't', inputs: ['x', 'r'], outputs: ['y'] }, { r: ints([2, 2], [1, 2, 1, 1]) }),
    /node "t" \(Tile\): repeats has dims \[2, 2\]; expected a 1-D list/);
  await refused(one({ op: 'Reshape', name: 'r', inputs: ['x', 's'], outputs: ['y'] }, { s: ints([2, 1], [0, -1]) }),
    /node "r" \(Reshape\): shape has dims \[2, 1\]; expected a 1-D list/);
  await refused(one({ op: 'Unsqueeze', name: 'u', inputs: ['x', 'a'], outputs: ['y'] }, { a: ints([1, 1], [4]) }),
    /node "u" \(Unsqueeze\): axes has dims \[1, 1\]; expected a 1-D list/);
  await refused(one({ op: 'Pad', name: 'p', inputs: ['x', 'p'], outputs: ['y'], attributes: { mode: 'reflect' } }, { p: ints([2, 4], [0, 0, 1, 1, 0, 0, 1, 1]) }),
    /node "p" \(Pad\): pads has dims \[2, 4\]; expected a 1-D list/);
  await refused(one({ op: 'Slice', name: 's', inputs: ['x', 'b', 'e', 'a'], outputs: ['y'] }, { b: ints([1, 1], [1]), e: ints([1], [3]), a: ints([1], [1]) }),
    /node "s" \(Slice\): starts has dims \[1, 1\]; expected a 1-D list/);
  await refused(one({ op: 'Slice', name: 's', inputs: ['x', 'b', 'e', 'a'], outputs: ['y'] }, { b: ints([1], [1]), e: ints([], [3]), a: ints([1], [1]) }),
    /node "s" \(Slice\): ends has dims \[\]; expected a 1-D list/);
  await refused(one({ op: 'ReduceMean', name: 'rm', inputs: ['x', 'a'], outputs: ['y'] }, { a: ints([1, 2], [2, 3]) }, 18),
    /node "rm" \(ReduceMean\): axes has dims \[1, 2\]; expected a 1-D list/);
  await refused(one({ op: 'Resize', name: 'rs', inputs: ['x', '', '', 'sz'], outputs: ['y'] }, { sz: ints([2, 2], [1, 3, 8, 8]) }),
    /node "rs" \(Resize\): sizes has dims \[2, 2\]; expected a 1-D list/);
  await refused(one({ op: 'Resize', name: 'rs', inputs: ['x', '', 's'], outputs: ['y'] }, { s: { dims: [2, 2], data: Float32Array.of(1, 1, 2, 2) } }),
    /node "rs" \(Resize\): scales has dims \[2, 2\]; expected a 1-D list/);
  await refused(one({ op: 'Split', name: 'sp', inputs: ['x', 'sz'], outputs: ['y', 'z'], attributes: { axis: 1 } }, { sz: ints([1, 2], [1, 2]) }),
    /node "sp" \(Split\): split has dims \[1, 2\]; expected a 1-D list/);
  const zeros = onnxModel({ inputs: [{ name: 'x', dims: ['N', 3, 4, 4] }], outputs: ['y'], initializers: { s: ints([1, 1], [1]) },
    nodes: [{ op: 'ConstantOfShape', name: 'c', inputs: ['s'], outputs: ['z'] }, { op: 'Add', inputs: ['x', 'z'], outputs: ['y'] }] });
  await refused(zeros, /node "c" \(ConstantOfShape\): shape has dims \[1, 1\]; expected a 1-D list/);
  // Axes named twice: Unsqueeze would count a dimension the input does not have, Pad keep one of the two pads.
  await refused(one({ op: 'Unsqueeze', name: 'u', inputs: ['x', 'a'], outputs: ['y'] }, { a: ints([2], [4, -2]) }),
    /node "u" \(Unsqueeze\): axes \[4,-2\] name axis 4 twice \(4 and -2\); expected each axis once/);
  await refused(one({ op: 'Squeeze', name: 'q', inputs: ['x', 'a'], outputs: ['y'] }, { a: ints([2], [1, 1]) }),
    /node "q" \(Squeeze\): axes \[1,1\] name axis 1 twice/);
  const padOnAxes = (pads: number[], axes: number[]) => one({ op: 'Pad', name: 'p', inputs: ['x', 'p', '', 'a'], outputs: ['y'], attributes: { mode: 'reflect' } },
    { p: ints([pads.length], pads), a: ints([axes.length], axes) }, 18);
  // A Reduce's axes named twice (before, merged: [2, 3, -1] read as a global pool over axes 2 and 3).
  await refused(one({ op: 'ReduceMean', name: 'rm', inputs: ['x', 'a'], outputs: ['y'] }, { a: ints([3], [2, 3, -1]) }, 18),
    /node "rm" \(ReduceMean\): axes \[2,3,-1\] name axis 3 twice \(3 and -1\); expected each axis once/);
  await refused(one({ op: 'ReduceMax', name: 'rx', inputs: ['x'], outputs: ['y'], attributes: { axes: [2, 2, 3] } }, {}),
    /node "rx" \(ReduceMax\): axes \[2,2,3\] name axis 2 twice \(2 and 2\); expected each axis once/);
  await refused(padOnAxes([1, 2, 1, 2], [2, 2]), /node "p" \(Pad\): axes \[2,2\] name axis 2 twice \(2 and 2\); expected each axis once/);
  await refused(padOnAxes([1, 1], [2, 3]), /node "p" \(Pad\): pads \[1,1\] for axes \[2,3\]: expected 4 integers, two per axis/);
  await refused(padOnAxes([1, 1, 1, 1, 1, 1], [2, 3]), /node "p" \(Pad\): pads \[1,1,1,1,1,1\] for axes \[2,3\]: expected 4 integers, two per axis/);
  // A Gather's indices may have any dims: a constant gathered by a [2, 2] table of indices still loads.
  const table = await loadModel(onnxModel({ inputs: [{ name: 'x', dims: ['N', 4] }], outputs: ['y'],
    initializers: { d: { dims: [3], data: Float32Array.of(1, 2, 3) }, i: ints([2, 2], [0, 1, 2, 0]), s: ints([1], [-1]) },
    nodes: [{ op: 'Gather', inputs: ['d', 'i'], outputs: ['g'] }, { op: 'Reshape', inputs: ['g', 's'], outputs: ['f'] }, { op: 'Mul', inputs: ['x', 'f'], outputs: ['y'] }] }));
  table.dispose();
});

test('constants computed at load time, each within its own limit, are refused once they hold too many values together, and quickly', async () => {
  // A few hundred bytes: constants of 2^24 values each, made over and over (a chain of transposes of one would do as much, more slowly).
  const fills = (count: number) => modelProto({
    inputs: [{ name: 'x', dims: ['N', 3] }], outputs: ['y'], initializers: { shape: { dims: [2], data: [4096, 4096] } },
    nodes: [
      ...Array.from({ length: count }, (_, i): NodeSpec => ({ op: 'ConstantOfShape', name: `fill${i + 1}`, inputs: ['shape'], outputs: [`c${i + 1}`] })),
      { op: 'Relu', name: 'use', inputs: ['x'], outputs: ['y'] },
    ],
  });
  // The bound is loose: the two constants that fit are made first (64 MB each); without the budget, a hundred would be 6.4 GB.
  await within(30, 'refusing the third constant of a hundred', () => refused(encode(fills(100)),
    /node "fill3" \(ConstantOfShape\): repeats one value to \[4096, 4096\], 16777216 values, after 33554432 in the constants computed before it; convas computes constants of at most 33554432 values in all while a file loads, plus as many as its initializers hold \(2\)/));
  // Two of them fit; so does a third in a file whose initializers hold as many values as it.
  const fits = await loadModel(encode(fills(2)));
  fits.dispose();
  const weighty = fills(3);
  weighty.graph!.initializer!.push({ name: 'w', dims: [1 << 24], dataType: 2, rawData: new Uint8Array(1 << 24) }); // UINT8
  (await loadModel(encode(weighty))).dispose();
});

test('weights left out of the file (graph inputs with no initializer, as export_params=False writes them) are refused naming the weight', async () => {
  // A weight of a rank a model input may have is a second input until the node that needs its values.
  await refused(onnxModel({ inputs: [{ name: 'x', dims: ['N', 8, 6, 6] }, { name: 'conv.weight', dims: [4, 8, 3, 3] }], outputs: ['y'],
    nodes: [{ op: 'Conv', name: 'conv', inputs: ['x', 'conv.weight'], outputs: ['y'] }] }),
  /node "conv" \(Conv\): the weight \("conv.weight"\) is a graph input with no initializer: the file holds no values for it \(torch.onnx.export\(…, export_params=False\) leaves the weights out\)/);
  // A bias, of a rank no model input has: the input's own problem, and why it is likely a weight.
  await refused(onnxModel({ inputs: [{ name: 'x', dims: ['N', 8] }, { name: 'fc.weight', dims: [3, 8] }, { name: 'fc.bias', dims: [3] }], outputs: ['y'],
    nodes: [{ op: 'Gemm', name: 'fc', inputs: ['x', 'fc.weight', 'fc.bias'], outputs: ['y'], attributes: { transB: 1 } }] }),
  /graph input "fc.bias" has 1 dimensions; .*; it is input 2 of node "fc" \(Gemm\), where weights go: if it is a weight, the file holds no initializer for it \(torch.onnx.export\(…, export_params=False\) leaves them out\)/);
  // The image itself, read after a node's first input where no weight goes (a residual Add, a Concat): no hint of a weight.
  const image = { name: 'x', dims: ['N', 3, 'H', 8] as (number | string)[] };
  const w = { dims: [3, 3, 1, 1], data: new Float32Array(9) };
  for (const [op, attributes] of [['Add', undefined], ['Concat', { axis: 1 }]] as const) {
    await refused(onnxModel({ inputs: [image], outputs: ['y'], initializers: { w },
      nodes: [{ op: 'Conv', name: 'conv', inputs: ['x', 'w'], outputs: ['c'] }, { op, name: 'join', inputs: ['c', 'x'], outputs: ['y'], attributes }] }),
    /graph input "x" has dimension 2 "H" \(variable\); convas models have fixed sizes from 1 to \d+ beyond the batch: give it a size, loadModel\(…, \{ sizes: \{ "H": … \} \}\), or export with a fixed input size$/);
  }
});

test('huge node and message counts and deep nesting are refused before decoding, and quickly', async () => {
  const node = field(1, Uint8Array.from([0x22, 0x08, ...new TextEncoder().encode('Identity')]));
  const many = field(7, repeated(node, 60_000));
  await within(5, 'a graph of 60,000 nodes', () => refused(many, /has more than 50000 nodes/));
  const attributes = field(7, field(1, repeated(Uint8Array.from([0x2a, 0x00]), 450_000)));
  await within(5, 'a node of 450,000 attributes', () => refused(attributes, /holds more than 400000 messages/));
  // graph → node → attribute → graph → … 300 levels deep.
  let nested: Uint8Array = new Uint8Array();
  for (let i = 0; i < 300; i++) nested = field(1, field(5, field(6, nested)));
  await within(5, 'nesting 900 messages deep', () => refused(field(7, nested), /protobuf: messages nest deeper than protobuf allows/));
});

test('bytes that are not an ONNX model, and models of other opsets, are refused as such', async () => {
  await refused(new TextEncoder().encode('{"format": "convas"}'), /is not a readable ONNX model/);
  await refused(new Uint8Array(0), /is not a readable ONNX model \(it is empty\)/);
  await refused(Uint8Array.from(random(3).array(400), (v) => Math.floor((v + 1) * 128)), /is not a readable ONNX model|imports no ai.onnx opset/);
  await refused(onnxModel({ ...conv(), opset: 7 }), /uses opset 7; convas reads opsets 9 to 18/);
  await refused(onnxModel({ ...conv(), opset: 19 }), /uses opset 19; convas reads opsets 9 to 18/);
});

test('operators, attributes and graphs convas cannot express are refused by node, with the reason', async () => {
  await refused(onnxModel(conv({ initializers: { w: { dims: [4, 2, 3, 3], data: new Float32Array(72) } } }, { attributes: { group: 3 } })),
    /node "Conv_12" \(Conv\): group=3 must divide both the 8 input channels and the 4 outputs/);
  await refused(onnxModel(conv({}, { attributes: { dilations: [2, 2], strides: [2, 1] } })),
    /node "Conv_12" \(Conv\): dilations \[2,2\] with strides \[2,1\]: convas \(as Keras\) dilates only with stride 1/);
  await refused(onnxModel(conv({}, { attributes: { foo: 1, bar: [1] } })), /node "Conv_12" \(Conv\): attributes foo, bar are not supported/);
  await refused(onnxModel(conv({}, { op: 'LSTM' })), /node "Conv_12" \(LSTM\): is not an operator convas supports/);
  const foreign = modelProto(conv());
  foreign.graph!.node![0].domain = 'com.microsoft';
  await refused(encode(foreign), /node "Conv_12" \(Conv\): is in domain "com.microsoft"/);
  const one = (nodes: NodeSpec[], extra: Partial<ModelSpec> = {}) => onnxModel({ inputs: [{ name: 'x', dims: ['N', 3, 4, 4] }], outputs: ['y'], nodes, ...extra });
  await refused(one([{ op: 'Hardmax', name: 'hm', inputs: ['x'], outputs: ['y'] }]), /node "hm" \(Hardmax\): is not an operator convas supports/);
  const pads = { pads: { dims: [8], data: [0, 0, 4, 0, 0, 0, 0, 1] } };
  await refused(one([{ op: 'Pad', name: 'pw', inputs: ['x', 'pads'], outputs: ['y'], attributes: { mode: 'wrap' } }], { initializers: pads }),
    /node "pw" \(Pad\): mode "wrap" is not supported; convas pads with zeros, reflect or edge/);
  await refused(one([{ op: 'Pad', name: 'pr', inputs: ['x', 'pads'], outputs: ['y'], attributes: { mode: 'reflect' } }], { initializers: pads }),
    /node "pr" \(Pad\): .*reflect padding \[\[4,0\],\[0,1\]\] of \[4, 4, 3\]: each side must pad fewer rows or columns than the image has/);
  await refused(one([{ op: 'LogSoftmax', name: 'ls', inputs: ['x'], outputs: ['y'], attributes: { axis: 3 } }]),
    /node "ls" \(LogSoftmax\): log softmax over axis 3 of \[N, 3, 4, 4\] is not supported; convas normalises over the channels \(axis 1\) alone/);
  await refused(one([{ op: 'LogSoftmax', name: 'ls', inputs: ['x'], outputs: ['y'] }], { opset: 11 }),
    /node "ls" \(LogSoftmax\): log softmax over axes 1 to 3 together \(as before opset 13\) of \[N, 3, 4, 4\] is not supported/);
  await refused(one([{ op: 'Transpose', name: 't', inputs: ['x'], outputs: ['t'], attributes: { perm: [0, 2, 3, 1] } },
    { op: 'Softmax', name: 'sm', inputs: ['t'], outputs: ['y'], attributes: { axis: 2 } }]),
  /node "sm" \(Softmax\): softmax over axis 2 of \[N, 4, 4, 3\] is not supported; convas normalises over the channels \(axis 3, as this tensor is transposed\) alone/);
  await refused(one([{ op: 'Softmax', name: 'sm', inputs: ['x'], outputs: ['y'], attributes: { axis: 1 } }], { opset: 11 }),
    /node "sm" \(Softmax\): softmax over axes 1 to 3 together \(as before opset 13\) of \[N, 3, 4, 4\] is not supported; convas normalises over the channels \(axis 1\) alone/);
  await refused(one([{ op: 'MaxPool', name: 'mp', inputs: ['f'], outputs: ['y'], attributes: { kernel_shape: [2, 2] } }, { op: 'Flatten', name: 'fl', inputs: ['x'], outputs: ['f'] }]),
    /node "mp" \(MaxPool\): reads a 2-D tensor \[N, 48\]; convas takes an image here, a 4-D tensor \[N, C, H, W\]/);
  // A mean over the channels that starts no layer normalisation, or over every axis, is no global pool.
  await refused(one([{ op: 'ReduceMean', name: 'rm', inputs: ['x'], outputs: ['y'], attributes: { axes: [1] } }]),
    /node "rm" \(ReduceMean\): reduces axes \[1\]; convas reduces an image \[N, C, H, W\] over its height and width \(axes 2 and 3\) only/);
  await refused(one([{ op: 'ReduceMax', name: 'rx', inputs: ['x'], outputs: ['y'] }]), /node "rx" \(ReduceMax\): reduces axes \[\] \(all of them\)/);
  // GELU's nodes with a ½ of rank 5 (which would widen the image to 5-D) are no GELU: the Erf is refused.
  const float = (v: number, dims: number[] = []) => ({ dims, data: Float32Array.of(v) });
  await refused(one([
    { op: 'Div', inputs: ['x', 'c'], outputs: ['s'] }, { op: 'Erf', name: 'erf', inputs: ['s'], outputs: ['e'] },
    { op: 'Add', inputs: ['e', 'one'], outputs: ['a'] }, { op: 'Mul', inputs: ['x', 'a'], outputs: ['m'] },
    { op: 'Mul', inputs: ['m', 'half'], outputs: ['y'] },
  ], { initializers: { c: float(Math.SQRT2), one: float(1), half: float(0.5, [1, 1, 1, 1, 1]) } }),
  /node "erf" \(Erf\): is not an operator convas supports \(erf on its own is no convas activation; GELU written with Erf/);
  // Instance normalisations that no GroupNormalization computes: weights of the wrong size, no weights, ε ≤ 0, a tensor that is no image.
  const perChannel = (n: number, v = 1) => ({ dims: [n], data: new Float32Array(n).fill(v) });
  const instance = (initializers: ModelSpec['initializers'], attributes: NodeSpec['attributes'] = {}, inputs = ['x', 's', 'b']) =>
    one([{ op: 'InstanceNormalization', name: 'in', inputs, outputs: ['y'], attributes }], { initializers });
  await refused(instance({ s: perChannel(4), b: perChannel(3, 0) }), /node "in" \(InstanceNormalization\): the scale has dims \[4\]; expected \[3\], one per channel/);
  await refused(instance({ s: perChannel(3), b: { dims: [1, 3], data: new Float32Array(3) } }), /node "in" \(InstanceNormalization\): the B has dims \[1, 3\]; expected \[3\], one per channel/);
  await refused(instance({ s: perChannel(3) }, {}, ['x', 's']), /node "in" \(InstanceNormalization\): the B is missing/);
  await refused(instance({ s: perChannel(3), b: perChannel(3, 0) }, { epsilon: -0.5 }), /node "in" \(InstanceNormalization\): has epsilon -0.5; expected a positive number/);
  const grouped = (groups: number, weights: number) => one([{ op: 'GroupNormalization', name: 'gn', inputs: ['x', 's', 'b'], outputs: ['y'],
    attributes: { num_groups: groups } }], { opset: 18, initializers: { s: perChannel(weights), b: perChannel(weights, 0) } });
  await refused(grouped(2, 2), /node "gn" \(GroupNormalization\): num_groups 2 does not divide the 3 channels; expected a divisor of 3/);
  await refused(grouped(3, 1), /node "gn" \(GroupNormalization\): the scale has dims \[1\]; expected \[3\], one per group \(opset 18\)/);
  await refused(onnxModel({ inputs: [{ name: 'x', dims: ['N', 3, 5] }], outputs: ['y'], initializers: { s: perChannel(3), b: perChannel(3, 0) },
    nodes: [{ op: 'InstanceNormalization', name: 'in1d', inputs: ['x', 's', 'b'], outputs: ['y'] }] }),
  /node "in1d" \(InstanceNormalization\): normalises a tensor of dims \[N, 3, 5\]; convas normalises images \[N, C, H, W\] \(nn.InstanceNorm2d\)/);
  // Blocks that do not fit, and a DepthToSpace mode ONNX does not define.
  const shuffle = (attributes: NodeSpec['attributes'], op = 'DepthToSpace') => one([{ op, name: 'ps', inputs: ['x'], outputs: ['y'], attributes }],
    { inputs: [{ name: 'x', dims: ['N', 8, 3, 4] }] });
  await refused(shuffle({ blocksize: 2, mode: 'RDC' }), /node "ps" \(DepthToSpace\): mode "RDC" is not supported; convas reads CRD \(PyTorch's PixelShuffle\) and DCR \(TensorFlow's\)/);
  await refused(shuffle({ blocksize: 3, mode: 'CRD' }), /node "ps" \(DepthToSpace\): blocksize 3 does not divide the 8 channels into blocks of its square/);
  await refused(shuffle({ mode: 'CRD' }), /node "ps" \(DepthToSpace\): blocksize 0; expected a positive integer/);
  // Six axes moved otherwise than PyTorch's pixel_shuffle and pixel_unshuffle move them: more than a Permute moves.
  await refused(one([{ op: 'Reshape', inputs: ['x', 's'], outputs: ['r'] }, { op: 'Transpose', name: 't', inputs: ['r'], outputs: ['y'], attributes: { perm: [0, 1, 4, 2, 5, 3] } }],
    { initializers: { s: { dims: [6], data: [-1, 3, 2, 2, 2, 2] } } }),
  /node "t" \(Transpose\): transposes 5 axes after the batch; convas permutes at most 4 \(the Reshape to six axes, Transpose and Reshape that PyTorch writes for pixel_shuffle/);
  await refused(shuffle({ blocksize: 2 }, 'SpaceToDepth'), /node "ps" \(SpaceToDepth\): blocksize 2 does not divide the image's 3 rows and 4 columns/);
  // An L2 norm that x is not divided by as F.normalize and x / x.norm(…) divide (a Clip from ε ≥ 0 alone, an Expand to x's own
  // shape), or over an axis convas does not hold last, is refused by node; so is a sum that is not x / x.norm(…)'s.
  const l2 = (between: NodeSpec[], attributes: NodeSpec['attributes'] = { axes: [1], keepdims: 1 }, last: NodeSpec[] = [{ op: 'Div', inputs: ['x', 'd'], outputs: ['y'] }],
    initializers: ModelSpec['initializers'] = {}) =>
    one([{ op: 'ReduceL2', name: 'l2', inputs: ['x'], outputs: ['n'], attributes }, ...between, ...last], { initializers, outputs: ['y'] });
  const notDivided = /node "l2" \(ReduceL2\): computes the L2 norm of \[N, 3, 4, 4\] for another use than dividing by it; convas reads ReduceL2 over one axis with keepdims, followed by the Div of the same tensor by it \(F.normalize\(x, dim\)/;
  const floorTo = (min: string, max = '') => [{ op: 'Clip', inputs: ['n', min, max], outputs: ['d'] }];
  await refused(l2([], { axes: [1], keepdims: 1 }, [{ op: 'Identity', inputs: ['n'], outputs: ['y'] }]), notDivided);
  await refused(l2([{ op: 'Identity', inputs: ['n'], outputs: ['d'] }], { axes: [1], keepdims: 0 }), notDivided);
  await refused(l2([{ op: 'Identity', inputs: ['n'], outputs: ['d'] }], { axes: [2, 3], keepdims: 1 }), notDivided);
  await refused(l2([{ op: 'Identity', inputs: ['n'], outputs: ['d'] }], { keepdims: 1 }), notDivided);
  await refused(l2([], { axes: [1], keepdims: 1, foo: 2 }, [{ op: 'Div', inputs: ['x', 'n'], outputs: ['y'] }]), /node "l2" \(ReduceL2\): attribute foo is not supported/);
  await refused(l2([], undefined, [{ op: 'Div', inputs: ['n', 'x'], outputs: ['y'] }]), notDivided);
  for (const min of [-1, NaN, Infinity]) await refused(l2(floorTo('e'), undefined, undefined, { e: float(min) }), notDivided);
  await refused(l2(floorTo('e', 'e'), undefined, undefined, { e: float(1e-12) }), notDivided);
  await refused(l2(floorTo('x'), undefined, undefined), notDivided);
  await refused(l2([{ op: 'Expand', inputs: ['n', 's'], outputs: ['d'] }], undefined, undefined, { s: { dims: [4], data: [1, 3, 4, 4] } }), notDivided);
  // The norm also a graph output: its value must stay as it is.
  await refused(onnxModel({ inputs: [{ name: 'x', dims: ['N', 3, 4, 4] }], outputs: ['y', 'n'], nodes: [
    { op: 'ReduceL2', name: 'l2', inputs: ['x'], outputs: ['n'], attributes: { axes: [1], keepdims: 1 } }, { op: 'Div', inputs: ['x', 'n'], outputs: ['y'] }] }), notDivided);
  await refused(l2([], { axes: [2], keepdims: 1 }, [{ op: 'Div', inputs: ['x', 'n'], outputs: ['y'] }]),
    /node "l2" \(ReduceL2\): divides \[N, 3, 4, 4\] by its L2 norm over axis 2; convas normalises over the axis it holds last: an image's channels \(axis 1\)/);
  await refused(one([{ op: 'Mul', inputs: ['x', 'x'], outputs: ['sq'] }, { op: 'ReduceSum', name: 'rs', inputs: ['sq'], outputs: ['y'], attributes: { axes: [1], keepdims: 1 } }], { opset: 11 }),
    /node "rs" \(ReduceSum\): is a sum convas does not compute: it reads ReduceSum only as the sum of squares of x \/ x.norm\(dim=…, keepdim=True\)/);
  const ints = (values: number[]) => ({ dims: [values.length], data: values });
  // Slices, gathers and splits of a tensor that no convas layer takes: steps of rows, the batch, sizes that do not add up.
  await refused(one([{ op: 'Slice', name: 'odd', inputs: ['x', 'starts', 'ends', 'axes', 'steps'], outputs: ['y'] }],
    { initializers: { starts: ints([2]), ends: ints([-(2 ** 62)]), axes: ints([2]), steps: ints([-1]) } }),
  /node "odd" \(Slice\): has step -1 on axis 2; convas slices tensors with step 1, and an image's rows and columns with positive steps/);
  await refused(one([{ op: 'Gather', name: 'g', inputs: ['x', 'i'], outputs: ['y'], attributes: { axis: 0 } }], { initializers: { i: ints([0]) } }),
    /node "g" \(Gather\): gathers along the batch axis; convas keeps every example/);
  await refused(one([{ op: 'Gather', name: 'g', inputs: ['x', 'i'], outputs: ['y'], attributes: { axis: 1 } }], { initializers: { i: { dims: [2, 1], data: [0, 2] } } }),
    /node "g" \(Gather\): has indices of dims \[2, 1\]; convas gathers a tensor by one index or a list of them/);
  await refused(one([{ op: 'Gather', name: 'g', inputs: ['x', 'i'], outputs: ['y'], attributes: { axis: 1 } }], { initializers: { i: ints([3]) } }),
    /node "g" \(Gather\): index 3 is out of range for axis 1 of size 3/);
  await refused(one([{ op: 'Gather', name: 'g', inputs: ['x', 'i'], outputs: ['y'], attributes: { axis: 1 } }], { inputs: [{ name: 'x', dims: ['N', 5] }], initializers: { i: { dims: [], data: [0] } } }),
    /node "g" \(Gather\): takes one feature of \[N, 5\], leaving no axis beyond the batch; convas tensors keep at least one$/);
  await refused(one([{ op: 'Expand', name: 'e', inputs: ['x', 's'], outputs: ['y'] }], { initializers: { s: ints([5, 3, 4, 4]) } }),
    /node "e" \(Expand\): expands the batch axis of \[N, 3, 4, 4\] to 5; convas keeps every example once/);
  await refused(one([{ op: 'Expand', name: 'e', inputs: ['x', 's'], outputs: ['y'] }], { initializers: { s: ints([1, 6, 4, 4]) } }),
    /node "e" \(Expand\): cannot expand \[N, 3, 4, 4\] to \[1, 6, 4, 4\]: axis 1 is 3, not 1/);
  await refused(one([{ op: 'Expand', name: 'e', inputs: ['x', 's'], outputs: ['y'] }], { initializers: { s: ints([2, 1, 3, 4, 4]) } }),
    /node "e" \(Expand\): expands \[N, 3, 4, 4\] to \[2, 1, 3, 4, 4\], adding axes before the batch/);
  await refused(one([{ op: 'Expand', name: 'e', inputs: ['x', 's'], outputs: ['y'] }], { initializers: { s: { dims: [2, 2], data: [1, 3, 4, 4] } } }),
    /node "e" \(Expand\): shape has dims \[2, 2\]; expected a 1-D list/);
  await refused(one([{ op: 'Tile', name: 't', inputs: ['x', 'r'], outputs: ['y'] }], { initializers: { r: ints([2, 1, 1, 1]) } }),
    /node "t" \(Tile\): repeats the batch 2 times; convas keeps every example once/);
  await refused(one([{ op: 'Tile', name: 't', inputs: ['x', 'r'], outputs: ['y'] }], { initializers: { r: ints([1, 1e7, 1, 1]) } }),
    /node "t" \(Tile\): repeats axis 1 of \[N, 3, 4, 4\] 10000000 times; expected from 1 to 1048576 values along it/);
  // Within those sizes, a few bytes of repeats or indices would still build thousands of layers, for minutes.
  await refused(one([{ op: 'Tile', name: 't', inputs: ['x', 'r'], outputs: ['y'] }], { initializers: { r: ints([1, 5000, 1, 1]) } }),
    /node "t" \(Tile\): repeats \[N, 3, 4, 4\] \[1,5000,1,1\] times: 5000 copies to join; convas joins at most 4096/);
  await refused(one([{ op: 'Gather', name: 'g', inputs: ['x', 'i'], outputs: ['y'], attributes: { axis: 1 } }], { initializers: { i: ints(Array.from({ length: 5000 }, (_, k) => 2 * (k % 2))) } }),
    /node "g" \(Gather\): picks 5000 runs of consecutive positions of axis 1; convas joins at most 4096/);
  await refused(one([{ op: 'Slice', name: 'few', inputs: ['x', 'starts', 'ends', 'axes'], outputs: ['y'] }],
    { initializers: { starts: ints([0]), ends: ints([1]), axes: ints([0]) } }), /node "few" \(Slice\): slices the batch axis \(starts 0, ends 1\); convas keeps every example/);
  await refused(one([{ op: 'Slice', name: 'twice', inputs: ['x', 'starts', 'ends', 'axes'], outputs: ['y'] }],
    { initializers: { starts: ints([0, 1]), ends: ints([2, 3]), axes: ints([1, -3]) } }), /node "twice" \(Slice\): axes \[1,-3\] name axis 1 twice \(1 and -3\); expected each axis once/);
  await refused(one([{ op: 'Slice', name: 'twice', inputs: ['x', 'starts', 'ends', 'axes'], outputs: ['y'] }],
    { initializers: { starts: ints([0, 0, 1]), ends: ints([1, 2, 3]), axes: ints([2, -1, 3]) } }), /node "twice" \(Slice\): axes \[2,-1,3\] name axis 3 twice \(-1 and 3\); expected each axis once/);
  await refused(one([{ op: 'Slice', name: 'none', inputs: ['x', 'starts', 'ends', 'axes'], outputs: ['y'] }],
    { initializers: { starts: ints([2]), ends: ints([2]), axes: ints([1]) } }), /node "none" \(Slice\): keeps nothing of \[N, 3, 4, 4\]/);
  await refused(one([{ op: 'Split', name: 'sp', inputs: ['x', 'sizes'], outputs: ['y', 'z'], attributes: { axis: 1 } }], { initializers: { sizes: ints([1, 1]) } }),
    /node "sp" \(Split\): splits axis 1 of \[N, 3, 4, 4\] into \[1,1\]; expected positive sizes that add up to 3/);
  await refused(one([{ op: 'Split', name: 'sb', inputs: ['x'], outputs: ['y', 'z'] }]), /node "sb" \(Split\): splits the batch axis/);
  // Layer normalisations that no convas layer computes: over several axes, over an axis convas does not hold last, in double.
  const gamma = (n: number) => ({ dims: [n], data: new Float32Array(n).fill(1) });
  const ln = (attributes: NodeSpec['attributes'], inputs = ['x', 'g'], outputs = ['y']) =>
    one([{ op: 'LayerNormalization', name: 'ln', inputs, outputs, attributes }], { opset: 17, initializers: { g: gamma(4) }, outputs });
  await refused(ln({ axis: 1 }), /node "ln" \(LayerNormalization\): normalises axes 1 to 3 of \[N, 3, 4, 4\] together; convas normalises over one axis, the last/);
  await refused(ln({ stash_type: 11 }), /node "ln" \(LayerNormalization\): stash_type 11 .* is not supported; convas computes them in float/);
  await refused(ln({}, ['x']), /node "ln" \(LayerNormalization\): the scale is missing/);
  await refused(one([{ op: 'LayerNormalization', name: 'ln', inputs: ['x', 'g'], outputs: ['y'] }], { opset: 17, initializers: { g: gamma(3) } }),
    /node "ln" \(LayerNormalization\): the scale has dims \[3\]; expected \[4\], one per feature of the last axis/);
  await refused(ln({}, ['x', 'g'], ['y', 'mean']), /node "ln" \(LayerNormalization\): its output 1 \("mean"\) is used, which convas does not compute/);
  await refused(one([
    { op: 'ReduceMean', name: 'rows', inputs: ['x'], outputs: ['m'], attributes: { axes: [2] } }, { op: 'Sub', inputs: ['x', 'm'], outputs: ['d'] },
    { op: 'Mul', inputs: ['d', 'd'], outputs: ['d2'] }, { op: 'ReduceMean', inputs: ['d2'], outputs: ['v'], attributes: { axes: [2] } },
    { op: 'Add', inputs: ['v', 'eps'], outputs: ['ve'] }, { op: 'Sqrt', inputs: ['ve'], outputs: ['s'] }, { op: 'Div', inputs: ['d', 's'], outputs: ['y'] },
  ], { initializers: { eps: float(1e-5) } }), /node "rows" \(ReduceMean\): normalises axis 2 of \[N, 3, 4, 4\]; convas normalises over the axis it holds last/);
  await refused(one([{ op: 'Softmax', name: 'sm', inputs: ['x'], outputs: ['y'], attributes: { axis: 2 } }]), /node "sm" \(Softmax\): softmax over axis 2 .* is not supported/);
  // MatMul of an image held channels-first multiplies its rows' pixels: no dense layer's product.
  await refused(one([{ op: 'MatMul', name: 'mm', inputs: ['x', 'w'], outputs: ['y'] }], { initializers: { w: { dims: [4, 2], data: new Float32Array(8) } } }),
    /node "mm" \(MatMul\): multiplies a 4-D tensor \[N, 3, 4, 4\]; convas reads .*MatMul of features \[N, K\], sequences \[N, T, K\] and channels-last images/);
  // A bias that varies along a sequence is no dense layer's: the Add stays apart, and is refused.
  await refused(onnxModel({ inputs: [{ name: 'x', dims: ['N', 4, 6] }], outputs: ['y'],
    initializers: { w: { dims: [6, 5], data: new Float32Array(30) }, b: { dims: [4, 5], data: new Float32Array(20) } },
    nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['m'] }, { op: 'Add', name: 'add', inputs: ['m', 'b'], outputs: ['y'] }] }),
  /node "add" \(Add\): combines \[N, 4, 5\] with a constant \[4, 5\]; convas takes a constant that is one number or one per channel/);
  // Bounds computed from the input: no layer clips to them.
  await refused(one([{ op: 'Relu', inputs: ['x'], outputs: ['r'] }, { op: 'Clip', name: 'c', inputs: ['x', 'r'], outputs: ['y'] }]),
    /node "c" \(Clip\): min \("r"\) is computed from the model's input; convas needs a constant there/);
  // Bounds no Clip layer holds: NaN, a min of +∞ or a max of −∞ (the layer's bounds are finite, or none).
  const clipTo = (low: number, high: number) => one([{ op: 'Clip', name: 'c', inputs: ['x', 'lo', 'hi'], outputs: ['y'] }],
    { initializers: { lo: { dims: [], data: Float32Array.of(low) }, hi: { dims: [], data: Float32Array.of(high) } } });
  await refused(clipTo(NaN, 1), /node "c" \(Clip\): clips to \[NaN, 1\]; expected bounds that are numbers/);
  await refused(clipTo(Infinity, 1), /node "c" \(Clip\): clips to \[Infinity, 1\]; convas clips to a min below Infinity and a max above -Infinity/);
  await refused(clipTo(-1, -Infinity), /node "c" \(Clip\): clips to \[-1, -Infinity\]; convas clips to a min below Infinity and a max above -Infinity/);
  await refused(one([{ op: 'Selu', name: 's', inputs: ['x'], outputs: ['y'], attributes: { alpha: { float: 2 } } }]), /node "s" \(Selu\): alpha 2 and gamma [\d.]+ are not SELU's constants/);
  await refused(one([{ op: 'PRelu', name: 'p', inputs: ['x', 's'], outputs: ['y'] }], { initializers: { s: { dims: [4, 1], data: new Float32Array(4) } } }),
    /node "p" \(PRelu\): the slope has dims \[4, 1\]; convas's PReLU takes one slope, one per channel or one per element/);
  const stats = Object.fromEntries(['s', 'b', 'm', 'v'].map((n) => [n, { dims: [3], data: Float32Array.of(1, 1, 1) }]));
  await refused(one([{ op: 'BatchNormalization', name: 'bn', inputs: ['x', 's', 'b', 'm', 'v'], outputs: ['y', 'rm', 'rv'], attributes: { training_mode: 1 } }], { initializers: stats }),
    /node "bn" \(BatchNormalization\): is in training mode/);
  const scales = (values: number[]) => ({ dims: [values.length], data: Float32Array.from(values) });
  const resize = (attributes: NodeSpec['attributes'], s = [1, 1, 2, 2]) => one([{ op: 'Resize', name: 'rs', inputs: ['x', '', 's'], outputs: ['y'], attributes }],
    { initializers: { s: scales(s) } });
  await refused(resize({ mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize' }),
    /node "rs" \(Resize\): coordinate_transformation_mode tf_crop_and_resize is not supported; convas resizes with half_pixel, pytorch_half_pixel, align_corners, asymmetric/);
  await refused(resize({ mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'round_prefer_floor' }, [1, 1, 3, 3]),
    /node "rs" \(Resize\): nearest with coordinate_transformation_mode asymmetric and nearest_mode round_prefer_floor from 4×4 to 12×12 is not supported; convas's nearest Resizing takes floor with asymmetric/);
  await refused(resize({ mode: 'nearest', nearest_mode: 'floor' }, [1, 1, 0.75, 1.75]),
    /node "rs" \(Resize\): nearest with coordinate_transformation_mode half_pixel and nearest_mode floor from 4×4 to 3×7 is not supported/);
  await refused(resize({ mode: 'lanczos' }), /node "rs" \(Resize\): mode "lanczos" is not supported; convas resizes nearest, linear and cubic/);
  await refused(resize({ mode: 'linear', exclude_outside: 1 }), /node "rs" \(Resize\): exclude_outside 1 is defined for cubic only/);
  await refused(resize({ mode: 'linear' }, [1, 1, 1.1, 1.2]),
    /node "rs" \(Resize\): scales 1.1\d*×1.2\d* keep the size 4×4 but move the pixels by ONNX's formulas, while ONNX Runtime copies the input/);
  await refused(resize({ mode: 'cubic' }, [1, 1, 0.1, 2]), /node "rs" \(Resize\): scales 0.1\d*×2 of 4×4 give 0×8 pixels; expected from 1 to 1048576 each way/);
  await refused(resize({ mode: 'linear' }, [1, 1, Infinity, 2]), /node "rs" \(Resize\): scales Infinity×2 of 4×4 give Infinity×8 pixels; expected from 1 to 1048576 each way/);
  // A nearest resize checks each output's pixel: a huge scale or size must be refused before that, at once.
  await within(2, 'a nearest Resize by 1e8', () => refused(resize({ mode: 'nearest' }, [1, 1, 1e8, 1e8]),
    /node "rs" \(Resize\): scales 100000000×100000000 of 4×4 give 400000000×400000000 pixels; expected from 1 to 1048576 each way/));
  await within(2, 'a nearest Resize to 1e8 + 3 pixels', () => refused(one([{ op: 'Resize', name: 'rs', inputs: ['x', '', '', 'sz'], outputs: ['y'], attributes: { mode: 'nearest' } }],
    { initializers: { sz: ints([1, 3, 1e8 + 3, 1e8 + 3]) } }), /node "rs" \(Resize\): sizes 100000003×100000003: expected from 1 to 1048576 pixels each way/));
  await refused(one([{ op: 'Upsample', name: 'up', inputs: ['x', 's'], outputs: ['y'], attributes: { mode: 'cubic' } }], { initializers: { s: scales([1, 1, 2, 2]) }, opset: 9 }),
    /node "up" \(Upsample\): mode "cubic" is not one Upsample defines/);
  await refused(one([{ op: 'Resize', name: 'rs', inputs: ['x', '', 's'], outputs: ['y'], attributes: { mode: 'linear', antialias: 1 } }],
    { initializers: { s: scales([1, 1, 0.5, 0.5]) }, opset: 18 }), /node "rs" \(Resize\): antialias 1 when down-sampling is not supported/);
  await refused(one([{ op: 'ConvTranspose', name: 'ct', inputs: ['x', 'w'], outputs: ['y'], attributes: { strides: [2, 2], output_padding: [1, 1] } }],
    { initializers: { w: { dims: [3, 2, 3, 3], data: new Float32Array(54) } } }),
  /node "ct" \(ConvTranspose\): output_padding \[1,1\] with pads \[0,0,0,0\]: convas adds rows at the end only where pads crop at least as many there/);
  await refused(one([{ op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] }, { op: 'GlobalAveragePool', inputs: ['c'], outputs: ['g'] },
    { op: 'Mul', name: 'gate', inputs: ['x', 'g'], outputs: ['y'] }], { initializers: { w: { dims: [2, 3, 1, 1], data: new Float32Array(6) } } }),
  /node "gate" \(Mul\): broadcasts \[N, 3, 4, 4\] with \[N, 2, 1, 1\]; convas multiplies tensors of one shape, or an image \[N, C, 1, 1\] with one \[N, C, H, W\]/);
  await refused(one([{ op: 'AveragePool', name: 'p', inputs: ['x'], outputs: ['y'], attributes: { kernel_shape: [3, 3], strides: [2, 2], count_include_pad: 1, pads: [1, 1, 1, 1], ceil_mode: 1 } }]),
    /node "p" \(AveragePool\): ceil_mode=1 where windows would hang past the padded input/);
  await refused(one([{ op: 'Pad', name: 'pad', inputs: ['x', 'pads'], outputs: ['p'] }, { op: 'MaxPool', name: 'mp', inputs: ['p'], outputs: ['y'], attributes: { kernel_shape: [2, 2] } }],
    { initializers: { pads: { dims: [8], data: [0, 0, 1, 1, 0, 0, 1, 1] } } }), /node "mp" \(MaxPool\): reads "p", padded by a Pad node with zeros \[1,1,1,1\]/);
  await refused(one([{ op: 'Unsqueeze', name: 'u', inputs: ['x', 'a'], outputs: ['y'] }], { initializers: { a: { dims: [1], data: [0] } } }),
    /node "u" \(Unsqueeze\): adds an axis before the batch of \[N, 3, 4, 4\]/);
  await refused(one([{ op: 'Reshape', name: 'r', inputs: ['x', 's'], outputs: ['y'] }], { initializers: { s: { dims: [2], data: [6, -1] } } }),
    /node "r" \(Reshape\): reshapes \[N, 3, 4, 4\] to \[6, -1\], which changes the batch axis/);
  await refused(one([{ op: 'Div', name: 'd', inputs: ['c', 'x'], outputs: ['y'] }], { initializers: { c: { dims: [], data: Float32Array.of(2) } } }),
    /node "d" \(Div\): divides a constant by a tensor/);
  await refused(one([{ op: 'Mul', name: 'm', inputs: ['x', 'c'], outputs: ['y'] }], { initializers: { c: { dims: [1, 1, 4, 1], data: new Float32Array(4) } } }),
    /node "m" \(Mul\): combines \[N, 3, 4, 4\] with a constant \[1, 1, 4, 1\]; convas takes a constant that is one number or one per channel \(\[3, 1, 1\]\)/);
  await refused(one([{ op: 'Identity', inputs: ['c'], outputs: ['y'] }], { initializers: { c: { dims: [2], data: Float32Array.of(1, 2) } } }),
    /graph output "y" is a constant \[2\]/);
  await refused(onnxModel({ inputs: [{ name: 'x', dims: ['N', 4] }], outputs: ['y'], nodes: [{ op: 'Reshape', name: 'r', inputs: ['s', 'x'], outputs: ['y'] }], initializers: { s: { dims: [1], data: [4] } } }),
    /node "r" \(Reshape\): input 0 \("s"\) is a constant; convas expects a tensor computed from the model's input there/);
});

test('mutated bytes of a real model load or fail with a ConvasError, never anything else', async () => {
  const bytes = new Uint8Array(await readFile(fixturePath('conv_flatten')));
  const rng = random(77);
  let refusedCount = 0;
  for (let i = 0; i < 300; i++) {
    const mutated = bytes.slice();
    for (let k = rng.int(1, 4); k > 0; k--) mutated[rng.int(0, mutated.length - 1)] = rng.int(0, 255);
    await loadModel(mutated).then((m) => m.dispose(), (error) => {
      if (!(error instanceof ConvasError)) assert.unreachable(`mutation ${i}: ${(error as Error)?.name}: ${(error as Error)?.message}`);
      refusedCount++;
    });
  }
  assert.ok(refusedCount > 0, 'some mutations were refused');
});

test.run();
