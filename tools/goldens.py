#!/usr/bin/python3
"""Golden values from PyTorch for aekit's numerics tests.

Run with Debian's python3-torch:  /usr/bin/python3 tools/goldens.py
Writes test/fixtures/goldens/{ops,losses,optim,schedules}.json (compact JSON, float64 values).
Everything is seeded, so re-running gives identical files. The tests only read the files.

Each op/loss case holds its inputs, the forward output, a fixed weight w of the output's shape,
and the gradients of sum(out * w) with respect to every input (null where not differentiable).
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'goldens')


def arr(t):
    return {'shape': list(t.shape), 'data': [float(v) for v in t.detach().reshape(-1).tolist()]}


class Inputs:
    """Seeded input generators; each call draws from its own stream."""

    def __init__(self, seed):
        self.rng = np.random.RandomState(seed)

    def rand(self, shape, lo=-2.0, hi=2.0):
        return torch.tensor(self.rng.uniform(lo, hi, size=shape))

    def away(self, shape, lo=0.1, hi=2.0):
        """lo <= |x| < hi with random sign: away from the kink at 0."""
        mag = self.rng.uniform(lo, hi, size=shape)
        sign = np.where(self.rng.uniform(size=shape) < 0.5, -1.0, 1.0)
        return torch.tensor(mag * sign)

    def separated(self, a, b, gap=0.1):
        """Nudge a so no element is within gap of the b it meets under broadcasting (no ties)."""
        bb = torch.broadcast_to(b, a.shape)
        close = (a - bb).abs() < gap
        return torch.where(close, bb + 2 * gap, a)

    def f32(self, shape, lo=-2.0, hi=2.0):
        """Multiples of 1/256: exact in float32, so a float32 round trip changes nothing."""
        return torch.round(self.rand(shape, lo, hi) * 256) / 256


def sum_to(x, shape):
    lead = x.dim() - len(shape)
    dims = list(range(lead)) + [lead + i for i, d in enumerate(shape) if d == 1 and x.shape[lead + i] != 1]
    return (x.sum(dim=dims, keepdim=True) if dims else x).reshape(shape)


def all_axes(x, axes):
    return tuple(range(x.dim())) if axes is None else tuple(axes)


OPS = {
    'add': lambda a, b, **_: a + b,
    'sub': lambda a, b, **_: a - b,
    'mul': lambda a, b, **_: a * b,
    'div': lambda a, b, **_: a / b,
    'pow': lambda a, b, **_: torch.pow(a, b),
    'maximum': lambda a, b, **_: torch.maximum(a, b),
    'minimum': lambda a, b, **_: torch.minimum(a, b),
    'where': lambda c, a, b, **_: torch.where(c != 0, a, b),
    'neg': lambda x, **_: -x,
    'abs': lambda x, **_: x.abs(),
    'exp': lambda x, **_: x.exp(),
    'log': lambda x, **_: x.log(),
    'log1p': lambda x, **_: x.log1p(),
    'sqrt': lambda x, **_: x.sqrt(),
    'tanh': lambda x, **_: x.tanh(),
    'sigmoid': lambda x, **_: x.sigmoid(),
    'relu': lambda x, **_: F.relu(x),
    'erf': lambda x, **_: torch.erf(x),
    'cast': lambda x, **_: x.float().double(),
    'sum': lambda x, axes=None, keepDims=False: x.sum(dim=all_axes(x, axes), keepdim=keepDims),
    'max': lambda x, axes=None, keepDims=False: x.amax(dim=all_axes(x, axes), keepdim=keepDims),
    'transpose': lambda x, perm: x.permute(perm),
    'broadcastTo': lambda x, shape: x.expand(shape),
    'matmul': lambda a, b, transposeA=False, transposeB=False: (a.t() if transposeA else a) @ (b.t() if transposeB else b),
    'reshape': lambda x, shape: x.reshape(shape),
    'softplus': lambda x, **_: F.softplus(x),
    'leakyRelu': lambda x, slope: F.leaky_relu(x, slope),
    'elu': lambda x, alpha: F.elu(x, alpha),
    'gelu': lambda x, **_: F.gelu(x),
    'clip': lambda x, lo, hi: torch.clamp(x, lo, hi),
    'mean': lambda x, axes=None, keepDims=False: x.mean(dim=all_axes(x, axes), keepdim=keepDims),
    'sumTo': lambda x, shape: sum_to(x, shape),
    # Images in aekit's layouts: x (B, H, W, C); conv weights (Cout, kh, kw, Cin); transposed conv (Cin, kh, kw, Cout).
    'conv2d': lambda x, w, b, stride=1, padding=0, dilation=1: nhwc(F.conv2d(nchw(x), nchw(w), b, stride, padding, dilation)),
    'convTranspose2d': lambda x, w, b, stride=1, padding=0, outputPadding=0, dilation=1: nhwc(
        F.conv_transpose2d(nchw(x), nchw(w), b, stride, padding, outputPadding, 1, dilation)),
    'maxPool2d': lambda x, kernel, stride, padding=0: nhwc(F.max_pool2d(nchw(x), kernel, stride, padding)),
    'avgPool2d': lambda x, kernel, stride, padding=0: nhwc(F.avg_pool2d(nchw(x), kernel, stride, padding, count_include_pad=True)),
    'upsampleNearest': lambda x, factor: nhwc(F.interpolate(nchw(x), scale_factor=factor, mode='nearest')),
    'upsampleBilinear': lambda x, factor: nhwc(F.interpolate(nchw(x), scale_factor=factor, mode='bilinear', align_corners=False)),
}


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


def case(name, op, inputs, args=None, diff=None, seed=0):
    """Run OPS[op] (or a loss) on float64 inputs; record out and gradients of sum(out * w)."""
    args = args or {}
    diff = diff if diff is not None else [True] * len(inputs)
    xs = [x.clone().requires_grad_(d) for x, d in zip(inputs, diff)]
    fn = OPS[op] if op in OPS else LOSSES[op]
    out = fn(*xs, **args)
    w = torch.tensor(np.random.RandomState(1000 + seed).uniform(0.5, 1.5, size=tuple(out.shape)))
    wanted = [x for x in xs if x.requires_grad]
    grads = torch.autograd.grad((out * w).sum(), wanted, allow_unused=True) if wanted else []
    it = iter(grads)
    gs = [None if not d else next(it) for d in diff]
    return {
        'name': name, 'op': op, 'args': args,
        'inputs': [arr(x) for x in xs], 'out': arr(out), 'w': arr(w)['data'],
        'grads': [None if g is None else arr(g)['data'] for g in gs],
    }


def op_cases():
    g = Inputs(7)
    cases = []
    add = lambda name, op, inputs, args=None, diff=None: cases.append(case(name, op, inputs, args, diff, len(cases)))
    add('add (3,4)+(4)', 'add', [g.rand((3, 4)), g.rand((4,))])
    add('add (2,1,3)+(4,1)', 'add', [g.rand((2, 1, 3)), g.rand((4, 1))])
    add('sub (3,1)-(1,4)', 'sub', [g.rand((3, 1)), g.rand((1, 4))])
    add('mul (2,3,4)*(3,1)', 'mul', [g.rand((2, 3, 4)), g.rand((3, 1))])
    add('mul by a scalar tensor', 'mul', [g.rand((3, 4)), g.rand(())])
    add('div (3,4)/(4)', 'div', [g.rand((3, 4)), g.away((4,), 0.5, 2)])
    add('pow (3,4)^(1,4)', 'pow', [g.rand((3, 4), 0.5, 2), g.rand((1, 4), -1.5, 2.5)])
    b = g.rand((4,))
    add('maximum (3,4),(4)', 'maximum', [g.separated(g.rand((3, 4)), b), b])
    b = g.rand((3, 1))
    add('minimum (3,4),(3,1)', 'minimum', [g.separated(g.rand((3, 4)), b), b])
    add('maximum ties share the gradient', 'maximum', [torch.tensor([1.0, 2.0, -0.5]), torch.tensor([1.0, 0.0, -0.5])])
    add('where (3,1) ? (3,4) : (4)', 'where', [torch.tensor([[1.0], [0.0], [1.0]]), g.rand((3, 4)), g.rand((4,))], diff=[False, True, True])
    for op, lo, hi in [('neg', -2, 2), ('exp', -2, 2), ('log', 0.2, 3), ('log1p', -0.5, 3), ('sqrt', 0.2, 3),
                       ('tanh', -3, 3), ('sigmoid', -6, 6), ('erf', -3, 3), ('gelu', -4, 4)]:
        add(op, op, [g.rand((2, 3), lo, hi)])
    add('erf far out', 'erf', [torch.tensor([-7.0, -4.5, 4.5, 7.0])])
    add('abs', 'abs', [g.away((2, 3))])
    add('relu', 'relu', [g.away((2, 3))])
    add('relu at 0', 'relu', [torch.tensor([0.0, -1.0, 1.0])])
    add('abs at 0', 'abs', [torch.tensor([0.0, -1.0, 1.0])])
    add('cast float64 -> float32 -> float64', 'cast', [g.f32((5,))])
    add('sum all', 'sum', [g.rand((2, 3))])
    add('sum axis 1 keepDims', 'sum', [g.rand((2, 3, 4))], {'axes': [1], 'keepDims': True})
    add('sum axes [0,2]', 'sum', [g.rand((2, 3, 4))], {'axes': [0, 2], 'keepDims': False})
    add('max axis 1', 'max', [g.rand((3, 5))], {'axes': [1], 'keepDims': False})
    add('max all keepDims', 'max', [g.rand((2, 3))], {'axes': None, 'keepDims': True})
    add('max ties split the gradient evenly', 'max', [torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])], {'axes': [1], 'keepDims': False})
    add('transpose [2,0,1]', 'transpose', [g.rand((2, 3, 4))], {'perm': [2, 0, 1]})
    add('broadcastTo (3,1)->(2,3,4)', 'broadcastTo', [g.rand((3, 1))], {'shape': [2, 3, 4]})
    add('reshape (2,6)->(3,4)', 'reshape', [g.rand((2, 6))], {'shape': [3, 4]})
    for ta in (False, True):
        for tb in (False, True):
            a = g.rand((4, 3) if ta else (3, 4))
            bm = g.rand((2, 4) if tb else (4, 2))
            add(f'matmul transposeA={ta} transposeB={tb}', 'matmul', [a, bm], {'transposeA': ta, 'transposeB': tb})
    add('softplus incl. 0 and large |x|', 'softplus', [torch.tensor([-30.0, -3.0, -0.5, 0.0, 0.4, 2.0, 15.0])])
    add('leakyRelu', 'leakyRelu', [g.away((3, 4))], {'slope': 0.1})
    add('leakyRelu at 0', 'leakyRelu', [torch.tensor([0.0, 1.0])], {'slope': 0.01})
    add('elu', 'elu', [g.away((3, 4))], {'alpha': 0.7})
    add('elu at 0', 'elu', [torch.tensor([0.0, -1.0])], {'alpha': 1.3})
    add('clip', 'clip', [torch.tensor([-2.0, -0.9, -0.3, 0.2, 0.45, 0.8, 1.7])], {'lo': -0.5, 'hi': 0.5})
    add('mean axis 0', 'mean', [g.rand((3, 4))], {'axes': [0], 'keepDims': False})
    add('mean all', 'mean', [g.rand((3, 4))])
    add('sumTo (2,3,4)->(3,1)', 'sumTo', [g.rand((2, 3, 4))], {'shape': [3, 1]})
    add('sumTo (2,3,4)->(4)', 'sumTo', [g.rand((2, 3, 4))], {'shape': [4]})
    add('conv2d 3x3 padding 1', 'conv2d', [g.rand((2, 5, 6, 3)), g.rand((4, 3, 3, 3)), g.rand((4,))], {'padding': 1})
    add('conv2d stride 2 dilation 2', 'conv2d', [g.rand((1, 9, 8, 2)), g.rand((3, 3, 2, 2)), g.rand((3,))], {'stride': 2, 'dilation': 2, 'padding': 1})
    add('conv2d fewer outputs than inputs (1 of 5)', 'conv2d', [g.rand((2, 6, 5, 5)), g.rand((1, 3, 3, 5)), g.rand((1,))], {'padding': 1})
    add('convTranspose2d stride 2 padding 1 output padding 1', 'convTranspose2d', [g.rand((2, 4, 3, 3)), g.rand((3, 3, 3, 2)), g.rand((2,))],
        {'stride': 2, 'padding': 1, 'outputPadding': 1})
    add('convTranspose2d stride 3 dilation 2', 'convTranspose2d', [g.rand((1, 3, 3, 2)), g.rand((2, 2, 3, 3)), g.rand((3,))], {'stride': 3, 'dilation': 2})
    add('maxPool2d 2x2', 'maxPool2d', [g.rand((2, 6, 4, 3))], {'kernel': 2, 'stride': 2})
    add('maxPool2d 3x3 stride 2 padding 1', 'maxPool2d', [g.rand((1, 7, 6, 2))], {'kernel': 3, 'stride': 2, 'padding': 1})
    add('avgPool2d 3x3 stride 1 padding 1', 'avgPool2d', [g.rand((2, 5, 4, 2))], {'kernel': 3, 'stride': 1, 'padding': 1})
    add('upsample nearest x2', 'upsampleNearest', [g.rand((2, 3, 2, 2))], {'factor': 2})
    add('upsample bilinear x2', 'upsampleBilinear', [g.rand((2, 3, 4, 2))], {'factor': 2})
    return cases


def per_sample(elementwise):
    return elementwise.sum(dim=tuple(range(1, elementwise.dim()))) if elementwise.dim() > 1 else elementwise


def reduced(fn, reduction):
    def loss(a, b):
        if reduction == 'perSample':
            return per_sample(fn(a, b, reduction='none'))
        return fn(a, b, reduction=reduction)
    return loss


LOSSES = {}
for _name, _fn in [('mse', F.mse_loss), ('l1', F.l1_loss), ('bceWithLogits', F.binary_cross_entropy_with_logits), ('bce', F.binary_cross_entropy)]:
    for _red in ('mean', 'sum', 'perSample'):
        LOSSES[f'{_name}/{_red}'] = reduced(_fn, _red)


def loss_cases():
    g = Inputs(11)
    cases = []
    for red in ('mean', 'sum', 'perSample'):
        pred, target = g.rand((4, 5)), g.rand((4, 5))
        cases.append(case(f'mse {red}', f'mse/{red}', [pred, target], seed=len(cases)))
        target = g.rand((4, 5))
        cases.append(case(f'l1 {red}', f'l1/{red}', [g.separated(g.rand((4, 5)), target), target], seed=len(cases)))
        logits = torch.cat([torch.tensor([-40.0, -3.0, 0.0, 3.0, 40.0]), g.rand((15,), -6, 6)]).reshape(4, 5)
        cases.append(case(f'bceWithLogits {red}', f'bceWithLogits/{red}', [logits, g.rand((4, 5), 0, 1)], seed=len(cases)))
        cases.append(case(f'bce {red}', f'bce/{red}', [g.rand((4, 5), 0.02, 0.98), g.rand((4, 5), 0, 1)], diff=[True, False], seed=len(cases)))
    cases.append(case('mse on (2,3,2) images, per sample', 'mse/perSample', [g.rand((2, 3, 2)), g.rand((2, 3, 2))], seed=len(cases)))
    sat = torch.tensor([[0.0, 1.0, 1e-50, 1 - 1e-17, 0.5]])
    cases.append(case('bce clamps log at -100 (forward only)', 'bce/mean', [sat, torch.tensor([[0.3, 0.6, 1.0, 0.0, 0.5]])], diff=[False, False], seed=len(cases)))
    return cases


def run_optimizer(kind, cfg, params0, grads, lrs):
    ps = [p.clone().requires_grad_(True) for p in params0]
    if kind in ('sgd', 'momentum', 'nesterov'):
        opt = torch.optim.SGD(ps, lr=cfg['lr'], momentum=cfg.get('momentum', 0.0), nesterov=kind == 'nesterov',
                              weight_decay=cfg.get('weightDecay', 0.0), foreach=False)
    elif kind == 'rmsprop':
        opt = torch.optim.RMSprop(ps, lr=cfg['lr'], alpha=cfg.get('alpha', 0.99), eps=cfg.get('eps', 1e-8),
                                  momentum=cfg.get('momentum', 0.0), weight_decay=cfg.get('weightDecay', 0.0), foreach=False)
    else:
        cls = torch.optim.Adam if kind == 'adam' else torch.optim.AdamW
        opt = cls(ps, lr=cfg['lr'], betas=(cfg.get('beta1', 0.9), cfg.get('beta2', 0.999)), eps=cfg.get('eps', 1e-8),
                  weight_decay=cfg.get('weightDecay', 0.0 if kind == 'adam' else 0.01), foreach=False)
    history = []
    for step, gs in enumerate(grads):
        for group in opt.param_groups:
            group['lr'] = lrs[step]
        for p, gr in zip(ps, gs):
            p.grad = gr.clone()
        opt.step()
        history.append([arr(p)['data'] for p in ps])
    return history


def optim_cases():
    g = Inputs(23)
    params0 = [g.rand((3, 4)), g.rand((4,))]
    steps = 5
    grads = [[g.rand((3, 4)), g.rand((4,))] for _ in range(steps)]
    configs = [
        {'kind': 'sgd', 'lr': 0.1},
        {'kind': 'sgd', 'lr': 0.1, 'weightDecay': 0.1},
        {'kind': 'momentum', 'lr': 0.1, 'momentum': 0.9},
        {'kind': 'momentum', 'lr': 0.1, 'momentum': 0.8, 'weightDecay': 0.1},
        {'kind': 'nesterov', 'lr': 0.1, 'momentum': 0.9},
        {'kind': 'nesterov', 'lr': 0.1, 'momentum': 0.9, 'weightDecay': 0.1},
        {'kind': 'rmsprop', 'lr': 0.01},
        {'kind': 'rmsprop', 'lr': 0.01, 'weightDecay': 0.1},
        {'kind': 'rmsprop', 'lr': 0.01, 'momentum': 0.9, 'alpha': 0.9},
        {'kind': 'rmsprop', 'lr': 0.01, 'momentum': 0.9, 'weightDecay': 0.1},
        {'kind': 'adam', 'lr': 0.01},
        {'kind': 'adam', 'lr': 0.01, 'weightDecay': 0.1},
        {'kind': 'adam', 'lr': 0.05, 'beta1': 0.5, 'beta2': 0.9, 'eps': 1e-3},
        {'kind': 'adamw', 'lr': 0.01, 'weightDecay': 0.0},
        {'kind': 'adamw', 'lr': 0.01},
        {'kind': 'adamw', 'lr': 0.01, 'weightDecay': 0.1},
    ]
    cases = []
    for cfg in configs:
        lrs = [cfg['lr']] * steps
        cases.append({'config': cfg, 'lrs': lrs, 'history': run_optimizer(cfg['kind'], cfg, params0, grads, lrs)})
    for cfg in (configs[3], configs[11], configs[9]):
        lrs = [cfg['lr'] * f for f in (1, 1, 0.5, 0.5, 0.1)]
        cases.append({'config': cfg, 'lrs': lrs, 'history': run_optimizer(cfg['kind'], cfg, params0, grads, lrs)})
    return {
        'params': [arr(p) for p in params0],
        'grads': [[arr(x)['data'] for x in gs] for gs in grads],
        'cases': cases,
        'clip': clip_cases(g),
    }


def clip_cases(g):
    cases = []
    for max_norm in (1.0, 100.0):
        grads = [g.rand((3, 4)), g.rand((4,))]
        ps = [torch.zeros_like(x, requires_grad=True) for x in grads]
        for p, x in zip(ps, grads):
            p.grad = x.clone()
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm)
        cases.append({'kind': 'norm', 'max': max_norm, 'grads': [arr(x) for x in grads],
                      'clipped': [arr(p.grad)['data'] for p in ps], 'total': float(total)})
    grads = [g.rand((3, 4)), g.rand((4,))]
    ps = [torch.zeros_like(x, requires_grad=True) for x in grads]
    for p, x in zip(ps, grads):
        p.grad = x.clone()
    torch.nn.utils.clip_grad_value_(ps, 0.5)
    cases.append({'kind': 'value', 'max': 0.5, 'grads': [arr(x) for x in grads], 'clipped': [arr(p.grad)['data'] for p in ps]})
    return cases


def schedule_run(make, base_lr, epochs, metrics=None):
    """lrs[e] is the rate used during epoch e, as the optimizer sees it."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make(opt)
    lrs = []
    for e in range(epochs):
        lrs.append(opt.param_groups[0]['lr'])
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[e])
    return lrs


def schedule_cases():
    S = torch.optim.lr_scheduler
    cases = []
    cases.append({'config': {'kind': 'step', 'stepSize': 3, 'gamma': 0.5}, 'baseLr': 0.1,
                  'lrs': schedule_run(lambda o: S.StepLR(o, 3, 0.5), 0.1, 12)})
    cases.append({'config': {'kind': 'step', 'stepSize': 1}, 'baseLr': 0.3,
                  'lrs': schedule_run(lambda o: S.StepLR(o, 1), 0.3, 5)})
    cases.append({'config': {'kind': 'cosine', 'tMax': 10, 'etaMin': 0.001}, 'baseLr': 0.1,
                  'lrs': schedule_run(lambda o: S.CosineAnnealingLR(o, 10, 0.001), 0.1, 25)})
    cases.append({'config': {'kind': 'cosine', 'tMax': 7}, 'baseLr': 0.05,
                  'lrs': schedule_run(lambda o: S.CosineAnnealingLR(o, 7), 0.05, 8)})
    # Improvements smaller than the threshold count as bad epochs.
    metrics = [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.89999, 0.91, 0.9, 0.92, 0.5, 0.6, 0.7, 0.8, 0.9,
               0.95, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9]
    cfg = {'kind': 'reduceOnPlateau', 'factor': 0.5, 'patience': 2, 'cooldown': 1, 'minLr': 0.01, 'threshold': 1e-4}
    cases.append({'config': cfg, 'baseLr': 0.1, 'metrics': metrics,
                  'lrs': schedule_run(lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1, min_lr=0.01, threshold=1e-4), 0.1, len(metrics), metrics)})
    cfg = {'kind': 'reduceOnPlateau', 'mode': 'max', 'thresholdMode': 'abs', 'threshold': 0.05, 'patience': 1}
    acc = [0.1, 0.2, 0.22, 0.24, 0.3, 0.31, 0.32, 0.4, 0.41, 0.2, 0.1, 0.0]
    cases.append({'config': cfg, 'baseLr': 1.0, 'metrics': acc,
                  'lrs': schedule_run(lambda o: S.ReduceLROnPlateau(o, mode='max', threshold_mode='abs', threshold=0.05, patience=1), 1.0, len(acc), acc)})
    return cases


def write(name, obj):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump({'generator': 'tools/goldens.py', 'torch': torch.__version__, **obj}, f, separators=(',', ':'), allow_nan=False)
        f.write('\n')
    print(f'{path}: {os.path.getsize(path)} bytes')


if __name__ == '__main__':
    torch.manual_seed(0)
    write('ops.json', {'cases': op_cases()})
    write('losses.json', {'cases': loss_cases()})
    write('optim.json', optim_cases())
    write('schedules.json', {'cases': schedule_cases()})
