#!/usr/bin/python3
"""Make the bundled demo data: a small image classifier and a few images.

    /usr/bin/python3 scripts/make_demo_data.py

Writes examples/demo/shapes_classifier.mlmodel (a neuralNetworkClassifier,
RGB 32x32 image in, "label" and "probabilities" out) and
examples/demo/images/*.png. Deterministic (fixed seeds, one thread), so a
rerun rewrites identical files.

The task: which of eight shapes (disc, square, triangle, cross, ring,
diamond, horizontal bar, vertical bar) is drawn, in a random colour, size
and place, on a noisy background. A small CNN (3 convolutions, global
pooling, one inner product) is trained on generated images with PyTorch,
then written with the Core ML protobuf schema in proto/ (compiled here with
protoc). The held-out images are bundled; some are hard on purpose (small,
low contrast), so that quantization can change a prediction.

Needs Debian's python3-numpy, python3-torch, python3-protobuf and protoc.
"""
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "examples", "demo")
SIZE = 32
CLASSES = ["disc", "square", "triangle", "cross", "ring", "diamond", "hbar", "vbar"]
IMAGES_PER_CLASS = 3


def shape_mask(kind, rng):
    """A boolean SIZE x SIZE mask of one shape at a random place and size."""
    r = rng.uniform(4.0, 11.0)
    cx = rng.uniform(r + 1, SIZE - r - 1)
    cy = rng.uniform(r + 1, SIZE - r - 1)
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) + 0.5
    dx, dy = x - cx, y - cy
    t = max(1.5, r / 3)
    if kind == "disc":
        return dx * dx + dy * dy <= r * r
    if kind == "square":
        return (np.abs(dx) <= r * 0.8) & (np.abs(dy) <= r * 0.8)
    if kind == "triangle":
        return (dy <= r * 0.8) & (dy >= -r * 0.8 + 2 * np.abs(dx) * 0.9)
    if kind == "cross":
        return ((np.abs(dx) <= t / 2) & (np.abs(dy) <= r)) | ((np.abs(dy) <= t / 2) & (np.abs(dx) <= r))
    if kind == "ring":
        d = np.sqrt(dx * dx + dy * dy)
        return (d <= r) & (d >= r - t)
    if kind == "diamond":
        return np.abs(dx) + np.abs(dy) <= r
    if kind == "hbar":
        return (np.abs(dx) <= r) & (np.abs(dy) <= t / 2)
    if kind == "vbar":
        return (np.abs(dy) <= r) & (np.abs(dx) <= t / 2)
    raise ValueError(kind)


def draw(label, rng):
    """One HxWx3 uint8 image of class `label`."""
    background = rng.uniform(0, 255, size=3)
    colour = rng.uniform(0, 255, size=3)
    # Keep some contrast, sometimes little of it.
    while np.abs(colour - background).max() < 60:
        colour = rng.uniform(0, 255, size=3)
    img = np.empty((SIZE, SIZE, 3), np.float32)
    img[:] = background
    img[shape_mask(CLASSES[label], rng)] = colour
    img += rng.normal(0, rng.uniform(5, 30), size=img.shape)
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def dataset(n, rng):
    labels = rng.integers(0, len(CLASSES), size=n)
    images = np.stack([draw(int(l), rng) for l in labels])
    return images, labels


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.c3 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc = nn.Linear(64, len(CLASSES))

    def forward(self, x):
        x = nn.functional.max_pool2d(torch.relu(self.c1(x)), 2)
        x = nn.functional.max_pool2d(torch.relu(self.c2(x)), 2)
        x = torch.relu(self.c3(x))
        x = x.mean(dim=(2, 3))
        return self.fc(x)


def to_input(images):
    # The model's preprocessing: pixel / 255 - 0.5, channels first.
    return torch.from_numpy(images.astype(np.float32) / 255.0 - 0.5).permute(0, 3, 1, 2)


def train(rng):
    torch.manual_seed(0)
    torch.set_num_threads(1)
    images, labels = dataset(12000, rng)
    x, y = to_input(images), torch.from_numpy(labels)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    for epoch in range(12):
        perm = torch.from_numpy(rng.permutation(len(y)))
        for i in range(0, len(y), 100):
            idx = perm[i:i + 100]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(x[idx]), y[idx])
            loss.backward()
            opt.step()
        with torch.no_grad():
            acc = (net(x).argmax(1) == y).float().mean().item()
        print(f"epoch {epoch}: loss {loss.item():.3f}, training accuracy {acc:.3f}")
    return net.eval()


def load_schema():
    tmp = tempfile.mkdtemp(prefix="morel_proto_")
    proto = os.path.join(ROOT, "proto")
    files = sorted(f for f in os.listdir(proto) if f.endswith(".proto"))
    subprocess.run(["protoc", "-I", proto, "--python_out", tmp] + files, check=True, cwd=proto)
    sys.path.insert(0, tmp)
    import FeatureTypes_pb2  # noqa: E402
    import Model_pb2  # noqa: E402
    import NeuralNetwork_pb2  # noqa: E402
    return Model_pb2, FeatureTypes_pb2, NeuralNetwork_pb2


def weights(wp, array):
    wp.floatValue.extend(array.detach().numpy().astype(np.float32).ravel().tolist())


def write_model(net, path):
    pb, ftpb, nnpb = load_schema()
    m = pb.Model()
    m.specificationVersion = 1
    d = m.description
    inp = d.input.add()
    inp.name = "image"
    inp.shortDescription = "32x32 RGB image of one shape"
    inp.type.imageType.width = SIZE
    inp.type.imageType.height = SIZE
    inp.type.imageType.colorSpace = ftpb.ImageFeatureType.RGB
    out = d.output.add()
    out.name = "label"
    out.type.stringType.SetInParent()
    out = d.output.add()
    out.name = "probabilities"
    out.type.dictionaryType.stringKeyType.SetInParent()
    d.predictedFeatureName = "label"
    d.predictedProbabilitiesName = "probabilities"
    d.metadata.shortDescription = "morel demo: which of eight shapes is in the image"
    d.metadata.author = "morel scripts/make_demo_data.py"
    d.metadata.license = "same as morel"

    nn_ = m.neuralNetworkClassifier
    pre = nn_.preprocessing.add()
    pre.featureName = "image"
    pre.scaler.channelScale = 1.0 / 255.0
    pre.scaler.redBias = pre.scaler.greenBias = pre.scaler.blueBias = -0.5
    nn_.stringClassLabels.vector.extend(CLASSES)

    def conv(name, src, dst, layer):
        l = nn_.layers.add()
        l.name = name
        l.input.append(src)
        l.output.append(dst)
        c = l.convolution
        c.outputChannels = layer.out_channels
        c.kernelChannels = layer.in_channels
        c.nGroups = 1
        c.kernelSize.extend([3, 3])
        c.stride.extend([1, 1])
        c.dilationFactor.extend([1, 1])
        c.same.SetInParent()
        c.hasBias = True
        weights(c.weights, layer.weight)
        weights(c.bias, layer.bias)

    def relu(name, src, dst):
        l = nn_.layers.add()
        l.name = name
        l.input.append(src)
        l.output.append(dst)
        l.activation.ReLU.SetInParent()

    def pool(name, src, dst, global_pool=False):
        l = nn_.layers.add()
        l.name = name
        l.input.append(src)
        l.output.append(dst)
        p = l.pooling
        p.type = nnpb.PoolingLayerParams.AVERAGE if global_pool else nnpb.PoolingLayerParams.MAX
        p.kernelSize.extend([2, 2])
        p.stride.extend([2, 2])
        p.valid.SetInParent()
        p.globalPooling = global_pool

    conv("conv1", "image", "conv1", net.c1)
    relu("relu1", "conv1", "relu1")
    pool("pool1", "relu1", "pool1")
    conv("conv2", "pool1", "conv2", net.c2)
    relu("relu2", "conv2", "relu2")
    pool("pool2", "relu2", "pool2")
    conv("conv3", "pool2", "conv3", net.c3)
    relu("relu3", "conv3", "relu3")
    pool("gap", "relu3", "gap", global_pool=True)
    l = nn_.layers.add()
    l.name = "fc"
    l.input.append("gap")
    l.output.append("logits")
    ip = l.innerProduct
    ip.inputChannels, ip.outputChannels, ip.hasBias = 64, len(CLASSES), True
    weights(ip.weights, net.fc.weight)
    weights(ip.bias, net.fc.bias)
    l = nn_.layers.add()
    l.name = "softmax"
    l.input.append("logits")
    l.output.append("probs")
    l.softmax.SetInParent()
    nn_.labelProbabilityLayerName = "probs"
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


def write_png(path, img):
    """8-bit RGB PNG, written by hand (no imaging library needed)."""
    h, w, _ = img.shape
    raw = b"".join(b"\x00" + img[y].tobytes() for y in range(h))

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
        f.write(chunk(b"IEND", b""))


def main():
    rng = np.random.default_rng(2024)
    net = train(rng)
    os.makedirs(os.path.join(OUT, "images"), exist_ok=True)
    write_model(net, os.path.join(OUT, "shapes_classifier.mlmodel"))
    # Held-out images, a few per class, named by their true class.
    test_rng = np.random.default_rng(7)
    right = 0
    for label, name in enumerate(CLASSES):
        for i in range(IMAGES_PER_CLASS):
            img = draw(label, test_rng)
            write_png(os.path.join(OUT, "images", f"{name}_{i}.png"), img)
            with torch.no_grad():
                right += int(net(to_input(img[None])).argmax(1).item() == label)
    total = len(CLASSES) * IMAGES_PER_CLASS
    print(f"wrote {OUT}: model, {total} images; {right}/{total} bundled images classified right")


if __name__ == "__main__":
    main()
