#!/usr/bin/env python3
"""Read and write safetensors files with only struct, json and numpy (no `safetensors` package).

An independent implementation of the format (https://huggingface.co/docs/safetensors), used to
check that aekit's files are standard and to load aekit weights into PyTorch:

    from read_safetensors import read_safetensors, write_safetensors, read_torch
    tensors, metadata = read_safetensors('model.safetensors')   # name -> numpy array
    state = read_torch('model.safetensors')                      # name -> torch.Tensor

Command line:

    /usr/bin/python3 tools/read_safetensors.py FILE            # one line per tensor
    /usr/bin/python3 tools/read_safetensors.py FILE --json     # every value, as JSON (I64 as strings)
"""
import argparse
import json
import struct
import sys

import numpy as np

MAX_HEADER_BYTES = 100_000_000
DTYPES = {
    'BOOL': np.dtype('?'), 'U8': np.dtype('u1'), 'I8': np.dtype('i1'),
    'I16': np.dtype('<i2'), 'U16': np.dtype('<u2'), 'F16': np.dtype('<f2'),
    'I32': np.dtype('<i4'), 'U32': np.dtype('<u4'), 'F32': np.dtype('<f4'),
    'I64': np.dtype('<i8'), 'U64': np.dtype('<u8'), 'F64': np.dtype('<f8'),
}
NAMES = {dt: name for name, dt in DTYPES.items()}


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup is not None:
        raise ValueError(f'header names {dup!r} twice')
    return dict(pairs)


def read_safetensors(path):
    """Return ({name: numpy array}, {metadata key: value}); raises ValueError on a malformed file."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f'{path}: {len(data)} bytes, too short for the header length')
    (n,) = struct.unpack('<Q', data[:8])
    if n > MAX_HEADER_BYTES or 8 + n > len(data):
        raise ValueError(f'{path}: header length {n} is too large for a {len(data)}-byte file')
    header = json.loads(data[8:8 + n].decode('utf-8'), object_pairs_hook=_no_duplicates)
    metadata = header.pop('__metadata__', {}) or {}
    buf = memoryview(data)[8 + n:]
    tensors, spans = {}, []
    for name, info in header.items():
        dtype = DTYPES[info['dtype']]
        shape = [int(d) for d in info['shape']]
        begin, end = (int(o) for o in info['data_offsets'])
        if not 0 <= begin <= end <= len(buf) or end - begin != int(np.prod(shape)) * dtype.itemsize:
            raise ValueError(f'{path}: tensor {name!r} has bad data_offsets {[begin, end]} for {shape} {info["dtype"]}')
        spans.append((begin, end, name))
        tensors[name] = np.frombuffer(buf[begin:end], dtype=dtype).reshape(shape).copy()
    at = 0
    for begin, end, name in sorted(spans):
        if begin != at:
            raise ValueError(f'{path}: tensor {name!r} starts at {begin}, expected {at} (gap or overlap)')
        at = end
    if at != len(buf):
        raise ValueError(f'{path}: data buffer has {len(buf)} bytes but tensors cover {at}')
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """Write {name: numpy array} (C order, little-endian) in sorted-name order, header padded to 8 bytes."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        a = np.asarray(tensors[name], order='C')  # ascontiguousarray would turn a scalar into shape (1,)
        a = a.astype(a.dtype.newbyteorder('<'), copy=False)
        blob = a.tobytes()
        header[name] = {'dtype': NAMES[a.dtype], 'shape': list(a.shape), 'data_offsets': [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_torch(path):
    """{name: torch.Tensor}, ready for load_state_dict."""
    import torch
    tensors, _ = read_safetensors(path)
    return {k: torch.from_numpy(v) for k, v in tensors.items()}


def _json_values(a):
    if a.dtype.kind in 'iu' and a.dtype.itemsize == 8:
        return [str(v) for v in a.reshape(-1).tolist()]
    return [v if isinstance(v, (int, bool)) or np.isfinite(v) else str(v) for v in a.reshape(-1).tolist()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('file')
    ap.add_argument('--json', action='store_true', help='print every tensor and the metadata as one JSON object')
    a = ap.parse_args()
    tensors, metadata = read_safetensors(a.file)
    if a.json:
        out = {k: {'dtype': NAMES[v.dtype], 'shape': list(v.shape), 'values': _json_values(v)} for k, v in tensors.items()}
        print(json.dumps({'tensors': out, 'metadata': metadata}))
        return
    for k, v in tensors.items():
        print(f'{k}\t{NAMES[v.dtype]}\t{list(v.shape)}')
    for k, v in metadata.items():
        print(f'# {k} = {v}')


if __name__ == '__main__':
    sys.exit(main())
