#!/usr/bin/python3
"""ONNX fixtures for convas's tests, exported by PyTorch's own exporter.

Run with Debian's Python, which has PyTorch 1.13 and torchvision 0.14:

    apt-get install python3-torch python3-torchvision python3-onnx
    /usr/bin/python3 scripts/onnx-fixtures.py            # writes tests/fixtures/onnx/

(Another python3 may come first on PATH without torch: call /usr/bin/python3.) Weights are random
(seeded; nothing is downloaded), batch-normalisation running statistics are set to non-trivial
values before export, and each case is exported with torch.onnx.export(net.eval(), …). For each
case the folder holds NAME.onnx, the input PyTorch was given (NAME.input.bin) and what it computed
(NAME.output<k>.bin), little-endian float32 in PyTorch's NCHW order, and manifest.json describes
them all (shapes, opset, the operators in the file). The tests read only these files: CI needs no
PyTorch.

python3-onnx (1.12) rewrites three cases after export, to cover the other ways ONNX stores
weights: float16 initializers behind Cast nodes (in the SqueezeNet, which has no batch
normalisation for the exporter to fold: its weights are rounded to float16 in PyTorch first, so
PyTorch's output is exact for them), float_data instead of raw_data, and external data in a
file beside the model. It also checks every file with onnx.checker.

To keep the folder small, the torchvision networks are narrowed: the ResNet-18 is torchvision's
ResNet class with BasicBlocks [2, 2, 2, 2] at widths 8-16-32-64 instead of 64-128-256-512, the
MobileNetV2 is torchvision's mobilenet_v2(width_mult=0.25), the SqueezeNet is squeezenet1_1's
layout built from torchvision's Fire modules with a quarter of the channels, the ShuffleNetV2 is
torchvision's class with two units a stage at widths 8-16-32-64-128, the ConvNeXt is torchvision's
class at widths 8 and 16 with three blocks; EfficientNet-B0, MobileNetV3 small and large, RegNetX and
RegNetY, DenseNet, GoogLeNet and MNASNet are their torchvision classes narrowed as each function or
class below says, with PyTorch's default initial weights and running statistics measured on random
images (see measure_batch_norms).
"""
import copy
import json
import os
import sys

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.convnext import CNBlock, CNBlockConfig
from torchvision.models.densenet import DenseNet
from torchvision.models.efficientnet import EfficientNet, MBConvConfig
from torchvision.models.googlenet import BasicConv2d, GoogLeNet, Inception, InceptionAux
from torchvision.models.mnasnet import MNASNet, _get_depths
from torchvision.models.mobilenetv3 import MobileNetV3, _mobilenet_v3_conf
from torchvision.models.regnet import BlockParams, RegNet
from torchvision.models.resnet import BasicBlock, ResNet
from torchvision.models.shufflenetv2 import ShuffleNetV2
from torchvision.models.squeezenet import Fire

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'onnx')


def randomize_batch_norms(net, generator):
    """Running statistics and affine parameters far from the defaults, so folding them matters."""
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            m.running_mean.copy_(torch.randn(c, generator=generator) * 0.5)
            m.running_var.copy_(torch.rand(c, generator=generator) * 1.5 + 0.25)
            m.weight.data.copy_(torch.rand(c, generator=generator) * 1.5 + 0.25)
            m.bias.data.copy_(torch.randn(c, generator=generator) * 0.3)


class LeNet(nn.Module):
    """LeNet-5 with an explicit Pad, max then average pooling, and view(size(0), -1): with a dynamic
    batch the exporter writes that flatten as Shape → Gather → Unsqueeze → Concat → Reshape."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(F.pad(x, (2, 2, 2, 2)))), 2)
        x = F.avg_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(x.size(0), -1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class ConvFlatten(nn.Module):
    """The element-order trap: a convolution's NCHW output flattened, on a non-square input, with
    the flattened features themselves an output. Also constants on the way in (per-channel Sub and
    Div, a scalar Mul), an asymmetric Pad, average pooling that does not count the padding, a
    MatMul with a weight and no bias, Sigmoid, Tanh and Softmax."""

    def __init__(self, generator):
        super().__init__()
        self.register_buffer('mean', torch.tensor([0.4, -0.2, 0.1]).view(1, 3, 1, 1))
        self.register_buffer('std', torch.tensor([0.5, 2.0, 1.5]).view(1, 3, 1, 1))
        self.conv = nn.Conv2d(3, 4, 3, stride=(1, 2), padding=(1, 0))
        self.pool = nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
        self.fc = nn.Linear(4 * 8 * 4, 6)
        self.w = nn.Parameter(torch.randn(4 * 8 * 4, 5, generator=generator) * 0.2)

    def forward(self, x):
        x = (x - self.mean) / self.std * 0.5
        x = F.pad(x, (0, 1, 1, 0))
        x = torch.sigmoid(self.pool(self.conv(x)))
        flat = torch.flatten(x, 1)
        logits = self.fc(flat)
        return flat, torch.tanh(flat @ self.w), torch.softmax(logits, dim=1)


class NarrowResNet18(ResNet):
    """torchvision's ResNet-18 (BasicBlock, [2, 2, 2, 2]) at an eighth of its width."""

    def __init__(self, widths=(8, 16, 32, 64), num_classes=10):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes, self.dilation, self.groups, self.base_width = widths[0], 1, 1, 64
        self.conv1 = nn.Conv2d(3, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(BasicBlock, widths[0], 2)
        self.layer2 = self._make_layer(BasicBlock, widths[1], 2, stride=2)
        self.layer3 = self._make_layer(BasicBlock, widths[2], 2, stride=2)
        self.layer4 = self._make_layer(BasicBlock, widths[3], 2, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[3], num_classes)


class NarrowSqueezeNet(nn.Module):
    """squeezenet1_1's layout (max pooling with ceil_mode, Fire modules that concatenate their two
    expand branches) with a quarter of the channels."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=3, stride=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
            Fire(16, 4, 16, 16), Fire(32, 4, 16, 16),
            nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
            Fire(32, 8, 32, 32), Fire(64, 8, 32, 32),
            nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
            Fire(64, 12, 48, 48), Fire(96, 12, 48, 48), Fire(96, 16, 64, 64), Fire(128, 16, 64, 64))
        self.classifier = nn.Sequential(
            nn.Dropout(p=0.5), nn.Conv2d(128, num_classes, kernel_size=1), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d((1, 1)))

    def forward(self, x):
        return torch.flatten(self.classifier(self.features(x)), 1)


class DepthwiseBlock(nn.Module):
    """A MobileNet-style block: depthwise convolution, batch normalisation (eval mode, non-trivial
    running statistics), ReLU6, Hardswish, a residual add, then a batch normalisation the exporter
    cannot fold (it follows the add), an adaptive average pool and a linear head."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU6())
        self.depthwise = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False), nn.BatchNorm2d(8), nn.ReLU6())
        self.pointwise = nn.Sequential(nn.Conv2d(8, 8, 1, bias=False), nn.BatchNorm2d(8))
        self.after_add = nn.BatchNorm2d(8)
        self.act = nn.Hardswish()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = self.stem(x)
        x = self.act(self.after_add(x + self.pointwise(self.depthwise(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


class GroupedDilated(nn.Module):
    """Grouped convolution (4 groups over 8 channels) and a dilated one."""

    def __init__(self):
        super().__init__()
        self.expand = nn.Conv2d(3, 8, 3, padding=1)
        self.grouped = nn.Conv2d(8, 8, 3, padding=1, groups=4)
        self.dilated = nn.Conv2d(8, 4, 3, padding=2, dilation=2)

    def forward(self, x):
        return self.dilated(F.relu(self.grouped(F.relu(self.expand(x)))))


class Decoder(nn.Module):
    """A decoder: ConvTranspose, nearest upsampling, bilinear upsampling with align_corners False
    and True (to an odd size); its output is an image."""

    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1)
        self.nearest = nn.Upsample(scale_factor=2, mode='nearest')
        self.conv = nn.Conv2d(6, 3, 3, padding=1)

    def forward(self, x):
        x = self.nearest(F.relu(self.up(x)))
        x = F.interpolate(self.conv(x), scale_factor=2, mode='bilinear', align_corners=False)
        return F.interpolate(x, size=(37, 29), mode='bilinear', align_corners=True)


class ResizeModes(nn.Module):
    """Resizes as PyTorch exports them, to sizes that are no whole multiple: nearest (asymmetric,
    floor) by size and by a scale_factor that gives whole sizes, bilinear with align_corners False
    and True, up and down; a convolution first so the weights matter."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 5, 3, padding=1)

    def forward(self, x):
        x = F.interpolate(self.conv(x), size=(11, 7), mode='nearest')
        x = F.interpolate(x, size=(5, 14), mode='bilinear', align_corners=False)
        x = F.interpolate(x, scale_factor=(1.4, 1.5), mode='nearest')
        return F.interpolate(x, size=(4, 9), mode='bilinear', align_corners=True)


class UnfoldedBatchNorm(nn.Module):
    """Conv → BatchNorm → ReLU exported with TrainingMode.PRESERVE: the exporter then leaves the
    BatchNormalization node (in inference form) instead of folding it into the convolution."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3)
        self.bn = nn.BatchNorm2d(6)
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class ResizeScales(nn.Module):
    """Resizes by scale_factors that give no whole number of pixels, which ONNX maps by the scale
    itself: bicubic (PyTorch's: a = -0.75, pytorch_half_pixel) up by 1.5, bilinear down by 0.7;
    and bicubic with align_corners to an odd size; a convolution first so the weights matter."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 5, 3, padding=1)

    def forward(self, x):
        x = F.interpolate(self.conv(x), scale_factor=1.5, mode='bicubic', align_corners=False)
        x = F.interpolate(x, scale_factor=0.7, mode='bilinear', align_corners=False)
        return F.interpolate(x, size=(9, 11), mode='bicubic', align_corners=True)


class GeluMean(nn.Module):
    """nn.GELU (Erf at opset 13) between convolutions, and the global average as x.mean([2, 3])
    (ReduceMean), as torchvision's MNASNet and ConvNeXt end."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 6, 3, stride=2)
        self.gelu = nn.GELU()
        self.fc = nn.Linear(6, 4)

    def forward(self, x):
        x = self.gelu(self.conv2(self.gelu(self.conv1(x))))
        return self.fc(x.mean([2, 3]))


class SplitCrop(nn.Module):
    """torch.split by sizes (Split with a split input), x[:, :, 1:-1, 2:] (Slice of rows and
    columns) and x[:, 3:] (Slice of channels) on the way to a concatenation and a linear head."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.mix = nn.Conv2d(5, 5, 1)
        self.fc = nn.Linear(5 + 2 + 1 + 5, 4)

    def forward(self, x):
        x = F.relu(self.conv(x))
        a, b, c = torch.split(x, [2, 5, 1], dim=1)
        b = self.mix(b[:, :, 1:-1, 2:])
        parts = [b, a[:, :, 1:-1, 2:], c[:, :, 1:-1, 2:], x[:, 3:, 1:-1, 2:]]
        return self.fc(torch.cat(parts, 1).mean([2, 3]))


class FunctionalRelu6(nn.Module):
    """ReLU6 called as a function, F.relu6, and a ReLU capped by torch.clamp(F.relu(x), max=3), as
    MobileNet code written by hand has them (nn.ReLU6 is a Hardtanh, a Clip from 0): before opset
    11 the exporter writes each as a Relu, then a Clip with a max alone."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.depthwise = nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8)
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        x = F.relu6(self.bn(self.conv(x)))
        x = torch.clamp(F.relu(self.depthwise(x)), max=3.0)
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class MnistExample(nn.Module):
    """The net of PyTorch's MNIST example (pytorch/examples mnist/main.py): conv, conv, max pool,
    dropout, flatten, Linear, dropout, Linear, F.log_softmax(x, dim=1); narrowed from widths 32, 64
    and 128 to 4, 8 and 16 to keep the files small."""

    def __init__(self, widths=(4, 8, 16)):
        super().__init__()
        self.conv1 = nn.Conv2d(1, widths[0], 3, 1)
        self.conv2 = nn.Conv2d(widths[0], widths[1], 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(12 * 12 * widths[1], widths[2])
        self.fc2 = nn.Linear(widths[2], 10)

    def forward(self, x):
        x = F.relu(self.conv2(F.relu(self.conv1(x))))
        x = torch.flatten(self.dropout1(F.max_pool2d(x, 2)), 1)
        x = self.fc2(self.dropout2(F.relu(self.fc1(x))))
        return F.log_softmax(x, dim=1)


class BorderPadded(nn.Module):
    """Padding from the image's own pixels before convolutions, as style-transfer nets pad:
    nn.ReflectionPad2d, nn.ReplicationPad2d and F.pad(mode='reflect') with uneven sides (Pad with
    mode reflect and edge)."""

    def __init__(self):
        super().__init__()
        self.reflect = nn.ReflectionPad2d(2)
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.replicate = nn.ReplicationPad2d((1, 2, 0, 3))
        self.conv2 = nn.Conv2d(6, 4, 3, stride=2)

    def forward(self, x):
        x = F.relu(self.conv1(self.reflect(x)))
        x = self.conv2(self.replicate(x))
        return F.pad(x, (2, 1, 1, 0), mode='reflect')


class ChannelPicks(nn.Module):
    """The input normalised channel by channel as torchvision's GoogLeNet and Inception v3 do when made
    with pretrained weights (transform_input: x[:, i] — a Gather of one index —, unsqueezed, scaled,
    concatenated; GoogLeNet's own method), then channels reordered and repeated (x[:, [2, 0, 1, 1]], a
    Gather of a list), reversed (x.flip(1), a Slice with step -1) and taken every other one (x[:, ::2])
    around convolutions."""

    def __init__(self):
        super().__init__()
        self.transform_input = True
        self.conv1 = nn.Conv2d(4, 6, 3, padding=1)
        self.conv2 = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        x = GoogLeNet._transform_input(self, x)
        x = F.relu(self.conv1(x[:, [2, 0, 1, 1]]))
        return self.conv2(x.flip(1)[:, ::2])


class Repeats(nn.Module):
    """A grey image made RGB by x.repeat(1, 3, 1, 1) (Tile) and by x.expand(-1, 3, -1, -1) (Expand to a
    shape the exporter picks with Equal and Where), a squeeze-and-excitation block as senet.pytorch
    writes it (Linear layers, view, then y.expand_as(x): Expand to the feature map's Shape), and
    x.repeat(1, 1, 2, 1) (Tile of the rows)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Sequential(nn.Linear(8, 2), nn.ReLU(), nn.Linear(2, 8), nn.Sigmoid())

    def forward(self, x):
        x = F.relu(self.conv(x.repeat(1, 3, 1, 1) + x.expand(-1, 3, -1, -1)))
        b, c, _, _ = x.size()
        y = self.fc(F.adaptive_avg_pool2d(x, 1).view(b, c)).view(b, c, 1, 1)
        return (x * y.expand_as(x)).repeat(1, 1, 2, 1)


class Clamps(nn.Module):
    """Clips to bounds other than ReLU6's 0..6: nn.Hardtanh() (to [-1, 1]) after a convolution,
    torch.clamp(x, -0.5, 2) of a convolution's output, and clamp with a min alone and a max alone.
    Before opset 11 the bounds are Clip's attributes, from it its inputs (an absent one left empty)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.hardtanh = nn.Hardtanh()
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x):
        x = self.hardtanh(self.conv1(x) * 3)
        x = torch.clamp(self.conv2(x), -0.5, 2.0)
        return torch.clamp(torch.clamp(x * 4, min=-0.25), max=1.5)


class SuperResolution(nn.Module):
    """The net of PyTorch's own ONNX export tutorial (super_resolution_with_onnxruntime): four
    convolutions, then nn.PixelShuffle(3), DepthToSpace (mode CRD) from opset 11; narrowed from
    widths 64, 64 and 32 to 16, 16 and 8 to keep the file small. It makes one channel, where CRD
    and DCR agree: PixelShuffles below make three."""

    def __init__(self, upscale_factor=3, widths=(16, 16, 8)):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, widths[0], (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(widths[0], widths[1], (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(widths[1], widths[2], (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(widths[2], upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        return self.pixel_shuffle(self.conv4(x))


class PixelShuffles(nn.Module):
    """nn.PixelShuffle of several channels (where CRD, PyTorch's order, and DCR differ): by 2 to
    three channels, a convolution, and by 3 to two."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 12, 3, padding=1)
        self.conv2 = nn.Conv2d(3, 18, 1)

    def forward(self, x):
        x = F.pixel_shuffle(self.conv1(x), 2)
        return F.pixel_shuffle(self.conv2(x), 3)


class PixelUnshuffles(nn.Module):
    """F.pixel_unshuffle (nn.PixelUnshuffle, space to depth in PyTorch's channel order) by 2, a
    convolution, and by 3."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(12, 4, 1)

    def forward(self, x):
        x = self.conv(F.pixel_unshuffle(x, 2))
        return F.pixel_unshuffle(x, 3)


class SequenceLinear(nn.Module):
    """nn.Linear on a sequence [N, T, F]: the exporter writes MatMul by the transposed weight, then
    the Add of the bias (Gemm takes 2-D inputs only); a ReLU between, and one Linear without bias."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(5, 8)
        self.fc2 = nn.Linear(8, 3, bias=False)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


class GroupNorms(nn.Module):
    """nn.GroupNorm with 2 and 4 groups (affine and not) and nn.InstanceNorm2d (affine, and the default
    affine=False without running statistics) between convolutions. The exporter writes each GroupNorm
    as Reshape to [N, G, -1], InstanceNormalization (scale 1, B 0), Reshape back, Mul, Add; each
    InstanceNorm2d as an InstanceNormalization. (With track_running_stats=True it writes a
    BatchNormalization of the running statistics between Reshapes instead: not covered.)"""

    def __init__(self, generator):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.group2 = nn.GroupNorm(2, 8)
        self.group4 = nn.GroupNorm(4, 8, affine=False)
        self.instance = nn.InstanceNorm2d(8, affine=True)
        self.conv2 = nn.Conv2d(8, 6, 3)
        self.plain_instance = nn.InstanceNorm2d(6)
        self.group3 = nn.GroupNorm(3, 6, eps=1e-3)
        with torch.no_grad():
            for norm in (self.group2, self.instance, self.group3):
                norm.weight.copy_(torch.rand(norm.weight.shape, generator=generator) * 2 - 0.5)
                norm.bias.copy_(torch.rand(norm.bias.shape, generator=generator) - 0.5)

    def forward(self, x):
        x = self.group2(self.conv1(x))
        x = self.instance(torch.relu(self.group4(x)))
        return self.group3(self.plain_instance(self.conv2(x)))


class EmbeddingHead(nn.Module):
    """A metric-learning head: a convolution, the global average pool, flatten, a linear layer and
    F.normalize(x, dim=1) (ReduceL2, Clip from eps, Expand to Shape(x), Div) of the embedding."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(F.relu(self.conv(x)), 1).flatten(1)
        return F.normalize(self.fc(x), dim=1)


class ChannelNorms(nn.Module):
    """Each pixel's channels divided by their L2 norm: F.normalize(x, dim=1) of the image itself (some
    of whose pixels are 0 or of norm ~1e-9, below Keras's floor of 1e-6 and above PyTorch's 1e-12), a
    convolution, and y / y.norm(dim=1, keepdim=True) of it (Mul, ReduceSum, Sqrt, Div)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        y = self.conv(F.normalize(x, dim=1))
        return y / y.norm(dim=1, keepdim=True)


def narrow_convnext(generator):
    """torchvision's ConvNeXt class at widths 8 and 16, two CNBlocks then one: the stem's 4×4 conv at
    stride 4 and LayerNorm2d (permute to NHWC, nn.LayerNorm, permute back), each block's depthwise
    7×7 conv, permute, nn.LayerNorm, Linear, GELU, Linear, permute back, layer scale and residual,
    the downsampling LayerNorm2d and 2×2 conv, the global average and the classifier's LayerNorm2d.
    Conv and Linear weights at PyTorch's default scale (ConvNeXt's own 0.02 leaves little to check),
    the normalisations' γ and β and the layer scales far from their defaults."""
    net = torchvision.models.convnext.ConvNeXt([CNBlockConfig(8, 16, 2), CNBlockConfig(16, None, 1)], num_classes=10)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.reset_parameters()
            elif isinstance(m, nn.LayerNorm):
                m.weight.copy_(torch.rand(m.weight.shape, generator=generator) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=generator) * 0.3)
            elif isinstance(m, CNBlock):
                m.layer_scale.copy_(torch.rand(m.layer_scale.shape, generator=generator) * 0.7 + 0.3)
    return net


def narrow_efficientnet():
    """torchvision's EfficientNet class with EfficientNet-B0's first four stages at a quarter of the
    width (8-8-8-16-24 channels, two blocks in each stage after the first): MBConv blocks with and
    without the expansion, 3×3 and 5×5 depthwise convs, SiLU, squeeze-and-excitation
    (x * sigmoid(conv(avgpool(x)))), StochasticDepth on the residuals, the 1×1 head conv and Linear."""
    stages = [(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 2)]
    return EfficientNet([MBConvConfig(*stage, width_mult=0.25) for stage in stages], dropout=0.2, num_classes=10)


def narrow_mobilenet_v3(arch, blocks):
    """torchvision's MobileNetV3 class with the first blocks of its configuration at width_mult=0.25
    and a classifier 64 wide (1024 or 1280 in the original)."""
    setting, _ = _mobilenet_v3_conf(arch, width_mult=0.25)
    return MobileNetV3(setting[:blocks], last_channel=64, num_classes=10)


def narrow_regnet(squeeze_excitation):
    """torchvision's RegNet class at widths 16 and 32 (one block, then three) with group width 8:
    grouped 3×3 convs of 2 and 4 groups, and RegNetY's squeeze-and-excitation if asked."""
    params = BlockParams.from_init_params(depth=4, w_0=16, w_a=8.0, w_m=2.0, group_width=8,
                                          se_ratio=0.25 if squeeze_excitation else None)
    return RegNet(params, num_classes=10, stem_width=8)


class NarrowGoogLeNet(GoogLeNet):
    """torchvision's GoogLeNet class (aux_logits off, transform_input on) with every width an eighth of
    the original: the Inception modules' four branches concatenated, max pooling with ceil_mode,
    BasicConv2d's batch normalisation with eps 0.001."""

    def __init__(self, num_classes=10):
        eighth = lambda channels: channels if channels == 3 else channels // 8
        conv = lambda i, o, **options: BasicConv2d(eighth(i), eighth(o), **options)
        inception = lambda *channels: Inception(*map(eighth, channels))
        super().__init__(num_classes=num_classes, aux_logits=False, transform_input=True, init_weights=False,
                         blocks=[conv, inception, InceptionAux])
        self.fc = nn.Linear(eighth(1024), num_classes)


def narrow_mnasnet():
    """torchvision's MNASNet class at alpha 0.25 without its last two stacks, its 1×1 head conv 64 wide
    instead of 1280; it ends in x.mean([2, 3]) (ReduceMean) before the classifier."""
    net = MNASNet(0.25, num_classes=10)
    stacks = list(net.layers)[:12]  # the stem and the first four stacks
    net.layers = nn.Sequential(*stacks, nn.Conv2d(_get_depths(0.25)[5], 64, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True))
    net.classifier[1] = nn.Linear(64, 10)
    return net


class AdaptivePools(nn.Module):
    """nn.AdaptiveAvgPool2d to sizes other than 1×1, as AlexNet's (6, 6) and VGG's and ResNet's (7, 7)
    read feature maps larger than that (PyTorch exports one only where each size divides the
    input's: an AveragePool whose window and stride are the quotient), each flattened into a Linear
    as their classifiers are; and nn.AdaptiveMaxPool2d likewise (a MaxPool)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.avg6 = nn.AdaptiveAvgPool2d((6, 6))
        self.avg7 = nn.AdaptiveAvgPool2d((7, 7))
        self.max = nn.AdaptiveMaxPool2d((3, 2))
        self.fc = nn.Linear(4 * (36 + 49 + 6), 10)

    def forward(self, x):
        x = F.relu(self.conv(x))
        pooled = [self.avg6(x[:, :, :, :12]), self.avg7(x[:, :, :14]), self.max(x)]
        return self.fc(torch.cat([torch.flatten(p, 1) for p in pooled], 1))


def default_initialisation(net):
    """Conv and Linear weights at PyTorch's default scale: torchvision's own initialisations of
    MobileNetV3 and EfficientNet leave outputs near 0.005, too small to check to 1e-4."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.reset_parameters()


def measure_batch_norms(net, images, generator):
    """γ and β at random, and the running statistics measured on random images. With statistics drawn
    at random, each layer's input drifts from normalised until, through the squeeze-and-excitation
    nets, the output hardly depends on the input (EfficientNet's two images' outputs differed by
    1e-7 of their size): a wrong layer would go unseen."""
    randomize_batch_norms(net, generator)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None  # a plain average over the batches seen
    net.train()
    with torch.no_grad():
        net(images)
    net.eval()


def he_scale(net):
    """Conv weights scaled from PyTorch's default bound, 1/sqrt(fan_in), to He's, sqrt(6/fan_in), as
    torchvision's SqueezeNet initialises them (kaiming_uniform_), without drawing again. At the default
    scale each ReLU layer shrinks the signal while the biases stay, until the output hardly depends on
    the input (the two images' outputs differed by 1e-7 of their size)."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.mul_(6 ** 0.5)


def round_to_float16(net):
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(p.half().float())


def float16_initializers(model):
    """Every float initializer stored as float16, read through a Cast back to float (as fp16-compressed
    models do). The weights were rounded to float16 before export, so nothing changes."""
    graph = model.graph
    casts = []
    for init in graph.initializer:
        if init.data_type != onnx.TensorProto.FLOAT:
            continue
        values = onnx.numpy_helper.to_array(init)
        half = onnx.numpy_helper.from_array(values.astype(np.float16), init.name + '_fp16')
        assert np.array_equal(onnx.numpy_helper.to_array(half).astype(np.float32), values), init.name
        casts.append((init.name, half))
    for name, half in casts:
        graph.initializer.remove(next(i for i in graph.initializer if i.name == name))
        graph.initializer.append(half)
        graph.node.insert(0, onnx.helper.make_node('Cast', [half.name], [name], to=onnx.TensorProto.FLOAT, name='Cast_' + name))
    return model


def float_data_initializers(model):
    """Initializers written as float_data (repeated float) instead of raw_data."""
    for init in model.graph.initializer:
        if init.data_type == onnx.TensorProto.FLOAT and init.raw_data:
            values = onnx.numpy_helper.to_array(init).flatten().tolist()
            init.ClearField('raw_data')
            init.float_data.extend(values)
    return model


def write_floats(path, array):
    np.ascontiguousarray(array, dtype='<f4').tofile(path)


def export(name, net, example, opset, notes, dynamic_batch=False, preserve=False, rewrite=None, external=False):
    """Exports one case and records it in the manifest."""
    net = net.eval()
    path = os.path.join(OUT, name + '.onnx')
    with torch.no_grad():
        outputs = net(example)
    outputs = list(outputs) if isinstance(outputs, tuple) else [outputs]
    output_names = ['output'] if len(outputs) == 1 else ['output%d' % k for k in range(len(outputs))]
    torch.onnx.export(net, example, path, opset_version=opset, input_names=['input'], output_names=output_names,
                      training=torch.onnx.TrainingMode.PRESERVE if preserve else torch.onnx.TrainingMode.EVAL,
                      dynamic_axes={n: {0: 'batch'} for n in ['input'] + output_names} if dynamic_batch else None)
    model = onnx.load(path)
    if rewrite:
        model = rewrite(model)
    if external:
        data = name + '.onnx.data'
        if os.path.exists(os.path.join(OUT, data)):
            os.remove(os.path.join(OUT, data))  # onnx appends to an existing file
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True, location=data, size_threshold=0)
    else:
        onnx.save_model(model, path)
    onnx.checker.check_model(path)
    model = onnx.load(path, load_external_data=False)
    write_floats(os.path.join(OUT, name + '.input.bin'), example.numpy())
    entry = {
        'file': name + '.onnx', 'opset': opset, 'notes': notes,
        'operators': sorted({n.op_type for n in model.graph.node}),
        'input': {'name': 'input', 'shape': list(example.shape), 'file': name + '.input.bin'},
        'outputs': [],
    }
    for k, (oname, out) in enumerate(zip(output_names, outputs)):
        file = '%s.output%d.bin' % (name, k)
        write_floats(os.path.join(OUT, file), out.numpy())
        entry['outputs'].append({'name': oname, 'shape': list(out.shape), 'file': file})
    if external:
        entry['externalData'] = name + '.onnx.data'
    return name, entry


def train_as_pytorch(name, net, example, labels, steps=3, learning_rate=0.05):
    """A copy of the net trained as the MNIST example trains it (F.nll_loss of its log_softmax, SGD),
    on the whole batch for a few steps, in eval mode as exported (no dropout): each step's loss, and
    the outputs after."""
    net = copy.deepcopy(net).eval()
    optimizer = torch.optim.SGD(net.parameters(), lr=learning_rate)
    target = torch.tensor(labels)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.nll_loss(net(example), target)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    file = name + '.trained.bin'
    with torch.no_grad():
        write_floats(os.path.join(OUT, file), net(example).numpy())
    return {'labels': labels, 'optimizer': 'sgd', 'learningRate': learning_rate, 'steps': steps, 'losses': losses, 'outputAfter': file}


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    example = lambda *shape: torch.rand(*shape, generator=generator) * 2 - 1

    cases = []
    lenet = LeNet()
    lenet_input = example(2, 1, 28, 28)
    cases.append(export('lenet', lenet, lenet_input, 9, 'LeNet-5, opset 9: Pad as an attribute, view(size(0), -1) with a dynamic batch',
                        dynamic_batch=True))
    cases.append(export('lenet_external', lenet, lenet_input, 13, 'the same LeNet at opset 13, its weights in an external data file',
                        dynamic_batch=True, external=True))
    cases.append(export('conv_flatten', ConvFlatten(generator), example(2, 3, 7, 9), 11,
                        'flatten after a convolution (element order), constants, Pad, AveragePool without padding counted; '
                        'weights as float_data', rewrite=float_data_initializers))

    resnet = NarrowResNet18()
    randomize_batch_norms(resnet, generator)
    cases.append(export('resnet18_narrow', resnet, example(2, 3, 64, 64), 13,
                        "torchvision's ResNet class, ResNet-18 blocks at widths 8-16-32-64"))

    statistics_generator = torch.Generator().manual_seed(2)

    def measure_aside(net, size):
        """measure_batch_norms on images of a generator of their own, the draws of dropout in training
        mode undone: the cases after draw the weights and inputs they drew before."""
        with torch.random.fork_rng():
            measure_batch_norms(net, torch.rand(16, 3, size, size, generator=statistics_generator) * 2 - 1, generator)

    mobilenet = torchvision.models.mobilenet_v2(num_classes=10, width_mult=0.25)
    measure_aside(mobilenet, 64)
    cases.append(export('mobilenet_v2', mobilenet, example(2, 3, 64, 64), 13, "torchvision's mobilenet_v2(width_mult=0.25)"))

    squeezenet = NarrowSqueezeNet()
    he_scale(squeezenet)
    round_to_float16(squeezenet)
    cases.append(export('squeezenet', squeezenet, example(2, 3, 64, 64), 13,
                        "squeezenet1_1's layout from torchvision's Fire modules, a quarter of the channels; float16 weights "
                        'behind Cast nodes', dynamic_batch=True, rewrite=float16_initializers))

    block = DepthwiseBlock()
    randomize_batch_norms(block, generator)
    block_input = example(2, 3, 16, 16)
    cases.append(export('depthwise_block', block, block_input, 13,
                        'depthwise conv, BN (folded), ReLU6 (Clip), Hardswish (HardSigmoid·x at opset 13), residual add, '
                        'a BatchNormalization after the add, GlobalAveragePool'))
    cases.append(export('depthwise_block_opset17', block, block_input, 17, 'the same block at opset 17 (HardSwish)'))

    unfolded = UnfoldedBatchNorm()
    randomize_batch_norms(unfolded, generator)
    cases.append(export('batchnorm_unfolded', unfolded, example(2, 3, 8, 8), 13,
                        'Conv → BatchNormalization → Relu exported with TrainingMode.PRESERVE (of a net in eval mode)', preserve=True))

    cases.append(export('grouped_dilated', GroupedDilated(), example(2, 3, 9, 8), 13,
                        'a grouped convolution (group=4 over 8 channels) and a dilated one'))

    decoder = Decoder()
    decoder_input = example(2, 4, 5, 4)
    cases.append(export('decoder', decoder, decoder_input, 11,
                        'ConvTranspose, nearest and bilinear Resize (half_pixel and align_corners), an image output'))
    cases.append(export('decoder_opset13', decoder, decoder_input, 13, 'the same decoder at opset 13'))

    cases.append(export('resize_modes', ResizeModes(), example(2, 3, 6, 5), 13,
                        'nearest and bilinear Resize (asymmetric floor, half_pixel, align_corners) to sizes of no whole multiple, '
                        'up and down'))

    cases.append(export('gelu_mean', GeluMean(), example(2, 3, 11, 10), 13,
                        'nn.GELU as Erf nodes, and x.mean([2, 3]) (ReduceMean) before a linear head'))

    shufflenet = ShuffleNetV2([2, 2, 2], [8, 16, 32, 64, 128], num_classes=10)
    measure_aside(shufflenet, 64)
    cases.append(export('shufflenet_v2', shufflenet, example(2, 3, 64, 64), 13,
                        "torchvision's ShuffleNetV2 class at widths 8-16-32-64-128: x.chunk(2, 1) of the channels, the "
                        'channel shuffle (Reshape → Transpose → Reshape)'))

    cases.append(export('split_crop', SplitCrop(), example(2, 3, 9, 10), 13,
                        'torch.split by sizes (Split), slices of channels and of rows and columns (Slice)'))

    convnext = narrow_convnext(generator)
    convnext_input = example(2, 3, 32, 32)
    cases.append(export('convnext_narrow', convnext, convnext_input, 17,
                        "torchvision's ConvNeXt class at widths 8 and 16: LayerNormalization between Transposes to and from "
                        'NHWC, Linear layers on NHWC (MatMul, Add), GELU (Erf), layer scale'))
    cases.append(export('convnext_narrow_opset13', convnext, convnext_input, 13,
                        'the same ConvNeXt at opset 13: each nn.LayerNorm as ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add'))

    # Last, so that the cases before draw the same weights and inputs as before it was added.
    cases.append(export('resize_scales', ResizeScales(), example(2, 3, 7, 7), 13,
                        'bicubic (cubic_coeff_a -0.75) and bilinear Resize by scales 1.5 and 0.7 of a 7x7 image, then bicubic '
                        'with align_corners to 9x11'))
    relu6 = FunctionalRelu6()
    randomize_batch_norms(relu6, generator)
    with torch.no_grad():
        relu6.conv.weight.mul_(8)  # activations well past 6, so the caps matter
    cases.append(export('relu6_functional', relu6, example(2, 3, 11, 9), 9,
                        'F.relu6 and clamp(relu(x), max=3) at opset 9: each a Relu, then a Clip with a max alone', dynamic_batch=True))

    mnist = MnistExample()
    mnist_input = example(3, 1, 28, 28)
    # Opsets 11, 13 and 17 write the same nodes as each other (opset 9 the same list too): the
    # oldest and the newest are kept, the newest trained.
    for opset in (9, 17):
        cases.append(export('mnist_example_opset%d' % opset, mnist, mnist_input, opset,
                            "PyTorch's MNIST example net (narrowed), ending in F.log_softmax(x, dim=1) (LogSoftmax)", dynamic_batch=True))
    cases[-1][1]['training'] = train_as_pytorch('mnist_example_opset17', mnist, mnist_input, [3, 7, 0])

    padded = BorderPadded()
    padded_input = example(2, 3, 9, 11)
    for opset in (9, 11):
        cases.append(export('border_padding_opset%d' % opset, padded, padded_input, opset,
                            'nn.ReflectionPad2d, nn.ReplicationPad2d and F.pad(mode=reflect) with uneven sides (Pad reflect and edge)'))

    picks = ChannelPicks()
    picks_input = example(2, 3, 9, 8)
    repeats = Repeats()
    repeats_input = example(2, 1, 7, 6)
    for opset in (11, 13):
        cases.append(export('channel_picks_opset%d' % opset, picks, picks_input, opset,
                            "GoogLeNet's transform_input (Gather of one channel), x[:, [2, 0, 1, 1]] (Gather of a list), "
                            'x.flip(1) and x[:, ::2] (Slice with steps -1 and 2 of the channels)', dynamic_batch=True))
        cases.append(export('repeats_opset%d' % opset, repeats, repeats_input, opset,
                            'x.repeat (Tile), x.expand(-1, 3, -1, -1) (Expand, Equal, Where) and y.expand_as(x) of a '
                            'squeeze-and-excitation gate (Expand to a Shape)', dynamic_batch=True))

    clamps = Clamps()
    clamps_input = example(2, 3, 7, 6)
    for opset in (9, 13):
        cases.append(export('clamps_opset%d' % opset, clamps, clamps_input, opset,
                            'nn.Hardtanh() and torch.clamp to bounds other than 0..6, a min alone and a max alone (Clip)',
                            dynamic_batch=True))

    cases.append(export('sequence_linear', SequenceLinear(), example(2, 4, 5), 13,
                        'nn.Linear on [N, T, F] (MatMul, Add), with and without bias', dynamic_batch=True))

    super_resolution = SuperResolution()
    super_resolution_input = example(2, 1, 8, 7)
    cases.append(export('super_resolution', super_resolution, super_resolution_input, 13,
                        "the super-resolution net of PyTorch's ONNX export tutorial (narrowed): convolutions, then "
                        'nn.PixelShuffle(3) (DepthToSpace, mode CRD)', dynamic_batch=True))
    pixel_shuffles = PixelShuffles()
    pixel_shuffles_input = example(2, 3, 4, 5)
    cases.append(export('pixel_shuffles', pixel_shuffles, pixel_shuffles_input, 11,
                        'F.pixel_shuffle by 2 and by 3 of several channels (DepthToSpace, mode CRD)'))
    # Before opset 11 (the tutorial exports at opset 10) pixel_shuffle is a Reshape to six axes, a
    # Transpose and a Reshape back; pixel_unshuffle is so at every opset.
    cases.append(export('super_resolution_opset10', super_resolution, super_resolution_input, 10,
                        'the same super-resolution net at opset 10, as the tutorial exports it: nn.PixelShuffle(3) as '
                        'Reshape, Transpose, Reshape', dynamic_batch=True))
    cases.append(export('pixel_shuffles_opset9', pixel_shuffles, pixel_shuffles_input, 9,
                        'the same pixel shuffles at opset 9 (Reshape, Transpose, Reshape)'))
    cases.append(export('pixel_unshuffles', PixelUnshuffles(), example(2, 3, 12, 6), 13,
                        'F.pixel_unshuffle by 2 and by 3 (Reshape, Transpose, Reshape at any opset)'))

    group_norms = GroupNorms(generator)
    group_norms_input = example(2, 3, 7, 6)
    for opset in (9, 13):
        cases.append(export('group_norms_opset%d' % opset, group_norms, group_norms_input, opset,
                            'nn.GroupNorm (2, 3 and 4 groups, affine and not: Reshape, InstanceNormalization, Reshape, Mul, Add) '
                            'and nn.InstanceNorm2d (affine and not: InstanceNormalization)', dynamic_batch=True))

    embedding = EmbeddingHead()
    embedding_input = example(2, 3, 7, 6)
    norms = ChannelNorms()
    norms_input = example(2, 3, 6, 5)
    norms_input[0, :, 0, 0] = 0
    norms_input[1, :, 2, 3] *= 1e-9
    for opset in (9, 13):
        cases.append(export('embedding_head_opset%d' % opset, embedding, embedding_input, opset,
                            'global pool, flatten, linear, F.normalize(x, dim=1) (ReduceL2, Clip, Expand, Div)', dynamic_batch=True))
        cases.append(export('channel_norms_opset%d' % opset, norms, norms_input, opset,
                            'F.normalize(x, dim=1) of an image with pixels of norm 0 and ~1e-9, a convolution, and '
                            'y / y.norm(dim=1, keepdim=True) (Mul, ReduceSum, Sqrt, Div)', dynamic_batch=True))

    # torchvision's classification families not covered above, narrowed. Opset 17 writes the same
    # nodes as 13 for all but MobileNetV3 (HardSwish instead of HardSigmoid · x).
    families = [
        ('efficientnet_b0_narrow', narrow_efficientnet, 64, (13,),
         "torchvision's EfficientNet class, EfficientNet-B0's first four stages at a quarter of the width: SiLU (Sigmoid, Mul), "
         'squeeze-and-excitation (GlobalAveragePool, Conv, SiLU, Conv, Sigmoid, Mul), StochasticDepth (no node in eval)'),
        ('mobilenet_v3_small_narrow', lambda: narrow_mobilenet_v3('mobilenet_v3_small', 9), 64, (13, 17),
         "torchvision's MobileNetV3 class, mobilenet_v3_small's first nine blocks at width_mult=0.25: Hardswish, "
         'Hardsigmoid squeeze-and-excitation, Linear, Hardswish, Linear'),
        ('mobilenet_v3_large_narrow', lambda: narrow_mobilenet_v3('mobilenet_v3_large', 11), 64, (13,),
         "torchvision's MobileNetV3 class, mobilenet_v3_large's first eleven blocks at width_mult=0.25: ReLU and "
         'Hardswish blocks, with and without squeeze-and-excitation'),
        ('regnet_x_narrow', lambda: narrow_regnet(False), 64, (13,),
         "torchvision's RegNet class (RegNetX) at widths 16 and 32, group width 8: grouped convs of 2 and 4 groups"),
        ('regnet_y_narrow', lambda: narrow_regnet(True), 64, (13,),
         "torchvision's RegNet class (RegNetY) at widths 16 and 32, group width 8: grouped convs, squeeze-and-excitation "
         '(ReLU, Sigmoid)'),
        ('densenet_narrow', lambda: DenseNet(growth_rate=8, block_config=(2, 2, 2, 2), num_init_features=16, bn_size=2,
                                             num_classes=10), 64, (13,),
         "torchvision's DenseNet class, growth rate 8, two layers a block: each layer's output concatenated to its input "
         '(Concat), BN and ReLU before each conv (not folded: BatchNormalization nodes), transitions by AveragePool'),
        ('googlenet_narrow', NarrowGoogLeNet, 48, (13,),
         "torchvision's GoogLeNet class at an eighth of the width, aux_logits off, transform_input on (Gather, Mul, Add, "
         'Concat of the channels): Inception modules (Concat), MaxPool with ceil_mode, BN with eps 0.001'),
        ('mnasnet_narrow', narrow_mnasnet, 64, (13,),
         "torchvision's MNASNet class at alpha 0.25, its head conv 64 wide: 3×3 and 5×5 depthwise convs, x.mean([2, 3]) "
         '(ReduceMean)'),
    ]
    for name, make, size, opsets, notes in families:
        net = make()
        default_initialisation(net)
        measure_batch_norms(net, example(16, 3, size, size), generator)
        family_input = example(2, 3, size, size)
        for opset in opsets:
            cases.append(export(name if opset == opsets[0] else '%s_opset%d' % (name, opset), net, family_input, opset,
                                notes if opset == opsets[0] else 'the same net at opset %d' % opset))
    cases.append(export('adaptive_pools', AdaptivePools(), example(2, 3, 18, 14), 13,
                        'nn.AdaptiveAvgPool2d((6, 6)) of an 18×12 map and (7, 7) of 14×14, nn.AdaptiveMaxPool2d((3, 2)) of 18×14 '
                        '(AveragePool and MaxPool of windows 3×2, 2×2 and 6×7), each flattened into one Linear'))

    manifest = {
        'generatedBy': 'scripts/onnx-fixtures.py with torch %s, torchvision %s, onnx %s' % (torch.__version__, torchvision.__version__, onnx.__version__),
        'layout': 'every .bin file is little-endian float32 in PyTorch\'s order (NCHW for images)',
        'cases': dict(cases),
    }
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print('wrote %d cases to %s (%.0f KB)' % (len(cases), os.path.normpath(OUT), total / 1024))
    for name, entry in cases:
        print('  %-26s opset %-2d %s' % (name, entry['opset'], ' '.join(entry['operators'])))


if __name__ == '__main__':
    sys.exit(main())
