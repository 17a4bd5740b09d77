#!/usr/bin/env python3
"""OpenBLAS SGEMM through NumPy, the peer for bench/gemm.ts.

    gemm_numpy.py --shapes 256x784x1000,1024x1024x1024 --trans NN,NT,TN,TT --reps 30 --warmup 5

Shapes are MxKxN: op(A) is MxK, op(B) is KxN; a transposed operand is a .T view, which NumPy
hands to sgemm as a transpose flag (no copy). OpenBLAS is capped at 2 threads with threadpoolctl.
Prints one JSON line: {"threads": 2, "rows": [{"shape": "MxKxN", "trans": "NN", "gflops": ...}]}.
Run it under `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE` (bench/peer.ts).
"""
import argparse
import json
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits


def operand(rows, cols, transposed, rng):
    """A rows x cols float32 matrix, stored transposed (as a .T view) when asked."""
    if transposed:
        return rng.random((cols, rows), dtype=np.float32).T
    return rng.random((rows, cols), dtype=np.float32)


def time_gemm(m, k, n, trans, reps, warmup, rng):
    a = operand(m, k, trans[0] == 'T', rng)
    b = operand(k, n, trans[1] == 'T', rng)
    out = np.empty((m, n), dtype=np.float32)
    for _ in range(warmup):
        np.matmul(a, b, out=out)
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        np.matmul(a, b, out=out)
        times.append(time.perf_counter() - t)
    return 2.0 * m * k * n / statistics.median(times) / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--shapes', default='256x784x1000,1024x1024x1024')
    ap.add_argument('--trans', default='NN,NT,TN,TT')
    ap.add_argument('--reps', type=int, default=30)
    ap.add_argument('--warmup', type=int, default=5)
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    rows = []
    with threadpool_limits(args.threads):
        for shape in args.shapes.split(','):
            m, k, n = (int(v) for v in shape.split('x'))
            for trans in args.trans.split(','):
                rows.append({'shape': shape, 'trans': trans, 'gflops': time_gemm(m, k, n, trans, args.reps, args.warmup, rng)})
    print(json.dumps({'threads': args.threads, 'rows': rows}))


if __name__ == '__main__':
    main()
