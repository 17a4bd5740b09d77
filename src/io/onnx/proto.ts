/**
 * The subset of ONNX's protobuf schema (onnx/onnx.proto3, IR version 8) that an inference graph of
 * dense and convolutional layers needs, encoded by hand: ModelProto, GraphProto, NodeProto,
 * AttributeProto, TensorProto (float32 and int64 initialisers as raw little-endian data) and
 * ValueInfoProto with symbolic dimensions. Field numbers are the schema's. Why hand-written: see
 * docs/design.md (ONNX export).
 */

/** Protobuf wire encoding into a growing byte list. */
class Writer {
  private chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.size += b.length;
  }

  varint(v: number | bigint): void {
    let n = BigInt.asUintN(64, BigInt(v));
    const out: number[] = [];
    do {
      let byte = Number(n & 0x7fn);
      n >>= 7n;
      if (n !== 0n) byte |= 0x80;
      out.push(byte);
    } while (n !== 0n);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint): void {
    this.tag(field, 0);
    this.varint(v);
  }

  float(field: number, v: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
  }

  bytes(field: number, b: Uint8Array): void {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
  }

  string(field: number, s: string): void {
    this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, build: (w: Writer) => void): void {
    const w = new Writer();
    build(w);
    this.bytes(field, w.finish());
  }

  /** A packed repeated int64 field. */
  packedInts(field: number, values: readonly number[]): void {
    const w = new Writer();
    for (const v of values) w.varint(v);
    this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

export interface TensorValue {
  name: string;
  dims: readonly number[];
  dataType: DataTypeCode;
  /** float32 values for FLOAT, integers for INT64. */
  values: Float32Array | readonly number[];
}

export type AttributeValue = number | string | readonly number[] | { float: number } | { floats: readonly number[] };

export interface NodeValue {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Record<string, AttributeValue>;
}

/** A graph input or output: element type and shape, a string dimension being symbolic (e.g. 'batch'). */
export interface ValueInfo {
  name: string;
  dataType: DataTypeCode;
  shape: readonly (number | string)[];
}

export interface GraphValue {
  name: string;
  nodes: readonly NodeValue[];
  initializers: readonly TensorValue[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
}

export interface ModelValue {
  graph: GraphValue;
  opset: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
}

// AttributeProto.AttributeType
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

function tensorBytes(t: TensorValue): Uint8Array {
  if (t.dataType === DataType.FLOAT) {
    const v = t.values instanceof Float32Array ? t.values : Float32Array.from(t.values);
    const b = new Uint8Array(v.length * 4);
    const dv = new DataView(b.buffer);
    v.forEach((x, i) => dv.setFloat32(i * 4, x, true));
    return b;
  }
  const b = new Uint8Array(t.values.length * 8);
  const dv = new DataView(b.buffer);
  Array.from(t.values).forEach((x, i) => dv.setBigInt64(i * 8, BigInt(x), true));
  return b;
}

function writeTensor(w: Writer, t: TensorValue): void {
  w.packedInts(1, t.dims); // dims
  w.int(2, t.dataType); // data_type
  w.string(8, t.name); // name
  w.bytes(9, tensorBytes(t)); // raw_data
}

function writeAttribute(w: Writer, name: string, v: AttributeValue): void {
  w.string(1, name);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`ONNX attribute ${name}: ${v} is not an integer (use { float })`);
    w.int(3, v);
    w.int(20, ATTR.INT);
  } else if (typeof v === 'string') {
    w.string(4, v);
    w.int(20, ATTR.STRING);
  } else if (Array.isArray(v)) {
    w.packedInts(8, v as number[]);
    w.int(20, ATTR.INTS);
  } else if ('float' in (v as object)) {
    w.float(2, (v as { float: number }).float);
    w.int(20, ATTR.FLOAT);
  } else {
    for (const f of (v as { floats: readonly number[] }).floats) w.float(7, f);
    w.int(20, ATTR.FLOATS);
  }
}

function writeNode(w: Writer, n: NodeValue): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, (a) => writeAttribute(a, k, v));
}

function writeValueInfo(w: Writer, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.dataType);
      tensor.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

/** The bytes of an .onnx file. */
export function encodeModel(m: ModelValue): Uint8Array {
  const w = new Writer();
  w.int(1, 8); // ir_version 8 (ONNX 1.10+, opsets up to 17 and later)
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, (g) => {
    for (const n of m.graph.nodes) g.message(1, (x) => writeNode(x, n));
    g.string(2, m.graph.name);
    for (const t of m.graph.initializers) g.message(5, (x) => writeTensor(x, t));
    for (const i of m.graph.inputs) g.message(11, (x) => writeValueInfo(x, i));
    for (const o of m.graph.outputs) g.message(12, (x) => writeValueInfo(x, o));
  });
  w.message(8, (o) => {
    o.string(1, '');
    o.int(2, m.opset);
  });
  return w.finish();
}
