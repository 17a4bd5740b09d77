/**
 * Module: a tree of named children and parameters. Parameter names follow the tree
 * (`encoder.layers.0.weight`), as PyTorch's state_dict does, so saved weights load there too.
 */
import { keep, numTensors, type Tensor } from '../core/index.js';

export abstract class Module {
  private readonly childModules = new Map<string, Module>();
  private readonly params = new Map<string, Tensor>();
  private readonly buffers = new Map<string, Tensor>();
  /** Training mode: dropout drops and batch norm uses batch statistics; evaluation mode does neither. */
  training = true;

  protected addModule<M extends Module>(name: string, m: M): M {
    this.childModules.set(name, m);
    return m;
  }

  protected addParameter(name: string, t: Tensor): Tensor {
    keep(t);
    t.requiresGrad = true;
    t.name = name;
    this.params.set(name, t);
    return t;
  }

  /** State that is saved with the model but not trained (e.g. batch norm's running statistics). */
  protected addBuffer(name: string, t: Tensor): Tensor {
    keep(t);
    t.name = name;
    this.buffers.set(name, t);
    return t;
  }

  /** Buffers with dotted names, in the same order as parameters. */
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.buffers) out.push([prefix + n, t]);
    for (const [n, m] of this.childModules) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  /** Everything a saved model holds: parameters, then buffers. */
  namedState(): [string, Tensor][] {
    return [...this.namedParameters(), ...this.namedBuffers()];
  }

  /** Set training or evaluation mode on this module and every child; returns this. */
  setTraining(mode: boolean): this {
    this.training = mode;
    for (const m of this.childModules.values()) m.setTraining(mode);
    return this;
  }

  /** (name, tensor) pairs in a stable order: own parameters first, then children in insertion order. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, t] of this.params) out.push([prefix + n, t]);
    for (const [n, m] of this.childModules) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Give every parameter its full dotted name; call once on the root module. */
  nameParameters(): this {
    for (const [n, t] of this.namedState()) t.name = n;
    return this;
  }

  numParameters(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  /** One line per leaf module, for `aekit info`. */
  summary(prefix = ''): { name: string; layer: string; shape: string; params: number }[] {
    const rows: { name: string; layer: string; shape: string; params: number }[] = [];
    if (this.params.size) {
      const shapes = [...this.params.values()].map((t) => `[${t.shape.join('×')}]`).join(' ');
      rows.push({ name: prefix.replace(/\.$/, '') || '(root)', layer: this.describe(), shape: shapes, params: [...this.params.values()].reduce((s, t) => s + t.size, 0) });
    }
    for (const [n, m] of this.childModules) rows.push(...m.summary(`${prefix}${n}.`));
    return rows;
  }

  /** Short description of this module for summaries. */
  describe(): string {
    return this.constructor.name;
  }

  dispose(): void {
    for (const [, t] of this.namedState()) t.dispose();
  }

  /** Copy parameter and buffer values from name → values (e.g. read from safetensors); shapes must match. */
  loadParameters(values: ReadonlyMap<string, { shape: readonly number[]; data: ArrayLike<number> }>, source: string): void {
    const own = this.namedState();
    for (const [name, t] of own) {
      const v = values.get(name);
      if (!v) throw new Error(`${source}: missing parameter '${name}'`);
      if (v.shape.length !== t.shape.length || v.shape.some((d, i) => d !== t.shape[i])) {
        throw new Error(`${source}: parameter '${name}' has shape [${v.shape.join(', ')}], the model expects [${t.shape.join(', ')}]`);
      }
      const bad = firstNonFinite(v.data);
      if (bad >= 0) throw new Error(`${source}: parameter '${name}' holds ${v.data[bad]} at index ${bad}; a model's weights must be finite (was it saved from a diverged run?)`);
      t.assign(v.data);
    }
    const extra = [...values.keys()].filter((k) => !own.some(([n]) => n === k));
    if (extra.length) throw new Error(`${source}: unexpected parameters ${extra.join(', ')}`);
  }
}

function firstNonFinite(d: ArrayLike<number>): number {
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return i;
  return -1;
}

/** A numbered list of modules (`layers.0`, `layers.1`, …). */
export class ModuleList<M extends Module> extends Module {
  readonly items: M[] = [];

  constructor(items: readonly M[]) {
    super();
    items.forEach((m, i) => this.items.push(this.addModule(String(i), m)));
  }
}

export { numTensors };
