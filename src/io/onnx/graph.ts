/** Builds an ONNX graph node by node: unique value names, initialisers, and activations composed from ONNX operators. */
import type { ActivationName } from '../../core/index.js';
import { DataType, type AttributeValue, type NodeValue, type TensorValue } from './proto.js';

export class GraphBuilder {
  readonly nodes: NodeValue[] = [];
  readonly initializers: TensorValue[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  /** A fresh value name from `hint`. */
  fresh(hint: string): string {
    let name = hint;
    while (this.used.has(name)) name = `${hint}_${++this.counter}`;
    this.used.add(name);
    return name;
  }

  /** A float32 initialiser; `name` is kept when free (weights keep their state_dict names). */
  float(name: string, dims: readonly number[], values: Float32Array | readonly number[]): string {
    const n = this.fresh(name);
    this.initializers.push({ name: n, dims, dataType: DataType.FLOAT, values: values instanceof Float32Array ? values : Float32Array.from(values) });
    return n;
  }

  int64(name: string, values: readonly number[]): string {
    const n = this.fresh(name);
    this.initializers.push({ name: n, dims: [values.length], dataType: DataType.INT64, values });
    return n;
  }

  /** One node with one output; returns the output's name. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, hint = opType.toLowerCase()): string {
    const out = this.fresh(hint);
    this.nodes.push({ opType, name: `${opType}_${this.nodes.length}`, inputs, outputs: [out], attributes });
    return out;
  }

  /** Give value `from` the graph-level name `name` (an Identity node). */
  rename(from: string, name: string): void {
    this.used.add(name);
    this.nodes.push({ opType: 'Identity', name: `Identity_${this.nodes.length}`, inputs: [from], outputs: [name] });
  }

  /** The activation as ONNX operators (GELU composed from Erf, as aekit computes it: x·(1 + erf(x/√2))/2). */
  activation(x: string, act: ActivationName): string {
    switch (act) {
      case 'linear': return x;
      case 'relu': return this.op('Relu', [x]);
      case 'sigmoid': return this.op('Sigmoid', [x]);
      case 'tanh': return this.op('Tanh', [x]);
      case 'softplus': return this.op('Softplus', [x]);
      case 'leakyRelu': return this.op('LeakyRelu', [x], { alpha: { float: 0.01 } });
      case 'elu': return this.op('Elu', [x], { alpha: { float: 1 } });
      case 'gelu': {
        const erf = this.op('Erf', [this.op('Mul', [x, this.float('sqrt_half', [], [Math.SQRT1_2])])]);
        return this.op('Mul', [this.op('Mul', [x, this.float('half', [], [0.5])]), this.op('Add', [erf, this.float('one', [], [1])])], {}, 'gelu');
      }
    }
  }
}
