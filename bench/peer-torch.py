# PyTorch, the native peer: `python3 peer-torch.py <threads>`. The nets of bench/native-nets.mjs,
# built from the same descriptions and trained on the same bytes. It speaks the bench protocol of
# bench/child.mjs as JSON lines on stdin/stdout: { id, task, args } in, { id, result | error } out.
# The runner starts it with glibc's malloc told to keep freed memory (see bench/run.mjs): PyTorch
# allocates per tensor, and page faults on this kind of VM cost tens of microseconds.
import json
import os
import sys
import time
import traceback

def pin(cpu):
    """Moves every thread of this process to `cpu` alone (a request's args.cpu, as child.mjs)."""
    for thread in os.listdir('/proc/self/task'):
        os.sched_setaffinity(int(thread), {cpu})


import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
torch.set_num_threads(threads)
torch.manual_seed(1)
EXAMPLES = 1024


def sched_now():
    """The main thread's CPU time and time spent waiting for a CPU, in seconds (as child.mjs)."""
    try:
        with open('/proc/thread-self/schedstat') as f:
            run, wait = (int(v) for v in f.read().split()[:2])
        return run / 1e9, wait / 1e9
    except OSError:
        return time.thread_time(), 0.0


def time_box(seconds, unit, images_per_unit):
    """Runs `unit` until `seconds` of wall time have passed, at least once (as child.mjs's timeBox)."""
    wall, (cpu, wait) = time.perf_counter(), sched_now()
    units = 0
    while True:
        unit()
        units += 1
        if time.perf_counter() - wall >= seconds:
            break
    cpu_end, wait_end = sched_now()
    return {'images': units * images_per_unit, 'units': units, 'seconds': time.perf_counter() - wall,
            'cpuSeconds': cpu_end - cpu, 'waitSeconds': wait_end - wait}


def build(net):
    """The description's layers as a torch chain: 'same' convs with ReLU, 2×2 max pools, a linear
    classifier; or torchvision's MobileNetV2 at the width of the Keras one the convas peer loads
    (the same blocks and channel counts; only the stride-2 depthwise convs pad differently)."""
    if net.get('mobileNet'):
        return torchvision.models.mobilenet_v2(width_mult=net['alpha'], num_classes=net['classes'])
    height, width, channels = net['input']
    modules = []
    for layer in net['layers']:
        if layer[0] == 'conv':
            _, filters, kernel = layer
            modules += [torch.nn.Conv2d(channels, filters, kernel, padding=kernel // 2), torch.nn.ReLU()]
            channels = filters
        elif layer[0] == 'pool':
            modules.append(torch.nn.MaxPool2d(2))
            height, width = height // 2, width // 2
        else:
            modules += [torch.nn.Flatten(), torch.nn.Linear(height * width * channels, layer[1])]
    return torch.nn.Sequential(*modules)


def optimizer(net, params):
    o = net['optimizer']
    if o['type'] == 'adam':
        return torch.optim.Adam(params, lr=o['learningRate'])
    return torch.optim.SGD(params, lr=o['learningRate'], momentum=o.get('momentum', 0))


def rate_of(run, seconds=0.5):
    """Calls of `run` per second over `seconds`, after a warm-up call."""
    run()
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        run()
        calls += 1
    return calls / (time.perf_counter() - start)


LAYOUTS = {'NCHW': torch.contiguous_format, 'channels_last': torch.channels_last}


class Net:
    """A net, its optimizer and its examples, cut into batches. PyTorch gets its best: on the first
    training step, whichever of its memory layouts (NCHW, channels_last) trains faster; on the first
    inference, whichever of eval() and torch.jit.optimize_for_inference (a frozen graph, BatchNorm
    folded into the convolutions, oneDNN's layouts) runs faster. choices() reports them."""

    def __init__(self, net, data_file):
        self.net = net
        self.model = build(net)
        self.optimizer = optimizer(net, self.model.parameters())
        self.loss = torch.nn.CrossEntropyLoss()
        self.examples = net.get('examples', EXAMPLES)
        height, width, channels = net['input']
        raw = np.fromfile(data_file, dtype='<f4')
        x = raw[:self.examples * height * width * channels].reshape(self.examples, height, width, channels)
        self.x = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        self.labels = torch.from_numpy(raw[self.examples * height * width * channels:].astype(np.int64))
        self.batch = 0
        self.layout = None
        self.inference = None
        self.infer_model = None

    def use_layout(self, name):
        self.model.to(memory_format=LAYOUTS[name])
        self.x = self.x.contiguous(memory_format=LAYOUTS[name])

    def step(self):
        size = self.net['trainBatch']
        first = (self.batch * size) % (self.examples - size + 1)
        self.batch += 1
        self.model.train()
        self.optimizer.zero_grad()
        self.loss(self.model(self.x[first:first + size]), self.labels[first:first + size]).backward()
        self.optimizer.step()

    def train_step(self):
        if self.layout is None:
            rates = {}
            for name in LAYOUTS:
                self.use_layout(name)
                rates[name] = rate_of(self.step)
            self.layout = max(rates, key=rates.get)
            self.use_layout(self.layout)
        self.step()

    def infer(self):
        x = self.x[:self.net['inferBatch']]
        self.model.eval()
        with torch.no_grad():
            if self.infer_model is None:
                candidates = {'eval': self.model, 'optimize_for_inference': torch.jit.optimize_for_inference(torch.jit.script(self.model))}
                rates = {name: rate_of(lambda m=m: m(x)) for name, m in candidates.items()}
                self.inference = max(rates, key=rates.get)
                self.infer_model = candidates[self.inference]
            self.infer_model(x).numpy()


nets = {}


def net_for(args):
    key = args['name']
    if key not in nets:
        nets[key] = Net(args['net'], args['file'])
    return nets[key]


def peak_rss_bytes():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    return 0


def info(_):
    # Which BLAS library the process really mapped: Debian's torch uses whichever libblas.so.3 the
    # system's alternatives point to (the reference BLAS, unless libopenblas0 is installed).
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    with open('/proc/self/maps') as f:
        blas = sorted({line.split()[-1] for line in f if 'blas' in line.lower() and '/' in line})
    return {'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': blas,
            'mkldnn': torch.backends.mkldnn.is_available()}


TASKS = {
    'info': info,
    'netTrain': lambda a: time_box(a['seconds'], net_for(a).train_step, a['net']['trainBatch']),
    'netInfer': lambda a: time_box(a['seconds'], net_for(a).infer, a['net']['inferBatch']),
    'stats': lambda _: {'peakRssBytes': peak_rss_bytes()},
    'choices': lambda _: {name: {'training': n.layout, 'inference': n.inference} for name, n in nets.items()},
}


def send(message):
    sys.stdout.write(json.dumps(message) + '\n')
    sys.stdout.flush()


send({'ready': True})
for line in sys.stdin:
    request = json.loads(line)
    if request.get('task') == 'exit':
        break
    try:
        args = request.get('args', {})
        if 'cpu' in args:
            pin(args['cpu'])
        send({'id': request['id'], 'result': TASKS[request['task']](args)})
    except Exception:
        send({'id': request['id'], 'error': traceback.format_exc()})
