/**
 * The optimizer contract and the bookkeeping every optimizer shares: parameters identified by
 * name, state buffers held as kept engine tensors, and a state dict that round-trips exactly.
 */
import { backendHas, fmtShape, keep, noGrad, shapesEqual, tensor, tidy, zeros, type KernelName, type Tensor } from '../../core/index.js';

export type OptimizerKind = 'sgd' | 'momentum' | 'nesterov' | 'rmsprop' | 'adam' | 'adamw';

/**
 * Optimizer settings. Unset fields take PyTorch's defaults: beta1 0.9, beta2 0.999, eps 1e-8,
 * alpha 0.99, weightDecay 0 (0.01 for adamw), momentum 0.9 for momentum/nesterov and 0 for rmsprop.
 * Fields another kind uses are ignored, and plain 'sgd' never uses momentum.
 */
export interface OptimizerConfig {
  kind: OptimizerKind;
  lr: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  alpha?: number;
}

/** Everything needed to resume: buffers keyed `<param name>.<slot>` (e.g. `encoder.layers.0.weight.exp_avg`). */
export interface OptimizerState {
  kind: OptimizerKind;
  /** Number of step() calls so far. */
  step: number;
  lr: number;
  buffers: Record<string, { shape: number[]; data: Float32Array | Float64Array }>;
}

export interface Optimizer {
  readonly config: OptimizerConfig;
  /** Learning rate of the next step; schedules set it. */
  lr: number;
  /** Update, in place, every parameter that has an entry in `grads`; the others are skipped, as in PyTorch. */
  step(params: readonly Tensor[], grads: ReadonlyMap<Tensor, Tensor>): void;
  stateDict(): OptimizerState;
  loadStateDict(s: OptimizerState): void;
  /** Free the state buffers. */
  dispose(): void;
}

export interface OptimizerOptions {
  /** Use the backend's fused update kernel; default: whenever the backend has it. */
  fused?: boolean;
}

/** A parameter's state: its buffers (in slot order) and how many updates it has had. */
export interface ParamState {
  readonly buffers: Tensor[];
  /** Updates so far including the current one (1 on the first). */
  readonly step: number;
  /** The buffers were created (zero-filled) for this update rather than carried over. */
  readonly created: boolean;
}

/** Shared bookkeeping; subclasses name their slots and implement `update`. */
export abstract class BaseOptimizer implements Optimizer {
  lr: number;
  private readonly fusedOption: boolean | undefined;
  private stepCount = 0;
  private readonly state = new Map<string, Tensor>();
  private readonly paramSteps = new Map<string, number>();

  constructor(
    readonly config: OptimizerConfig,
    /** Buffer names per parameter, PyTorch's state keys (`exp_avg`, `momentum_buffer`, …). */
    protected readonly slots: readonly string[],
    private readonly kernel: KernelName,
    opts: OptimizerOptions,
  ) {
    this.lr = config.lr;
    this.fusedOption = opts.fused;
    if (opts.fused && !backendHas(kernel)) throw new Error(`optimizer: fused: true, but the active backend has no '${kernel}' kernel`);
  }

  /** Whether this step uses the fused kernel (asked per step, so a backend switch is followed). */
  protected get fused(): boolean {
    return this.fusedOption ?? backendHas(this.kernel);
  }

  /** Apply one update to `p` in place, with grad `g` and the parameter's state. Runs under noGrad. */
  protected abstract update(p: Tensor, g: Tensor, s: ParamState): void;

  step(params: readonly Tensor[], grads: ReadonlyMap<Tensor, Tensor>): void {
    if (!(this.lr >= 0) || !Number.isFinite(this.lr)) throw new Error(`optimizer: lr must be a finite number ≥ 0, got ${this.lr}`);
    const names = new Set<string>();
    for (const [i, p] of params.entries()) checkParam(p, i, names, grads.get(p));
    this.stepCount++;
    noGrad(() => {
      for (const p of params) {
        const g = grads.get(p);
        if (g) tidy(() => this.update(p, g, this.paramState(p)));
      }
    });
  }

  private paramState(p: Tensor): ParamState {
    let created = false;
    const buffers = this.slots.map((slot) => {
      const key = `${p.name}.${slot}`;
      let t = this.state.get(key);
      if (!t) {
        this.state.set(key, (t = keep(zeros(p.shape, p.dtype))));
        created = true;
      }
      else if (!shapesEqual(t.shape, p.shape)) throw new Error(`optimizer: state buffer '${key}' has shape ${fmtShape(t.shape)} but the parameter is ${fmtShape(p.shape)}`);
      else if (t.dtype !== p.dtype) this.state.set(key, (t = keep(castCopy(t, p.dtype))));
      return t;
    });
    const step = (this.paramSteps.get(p.name) ?? 0) + 1;
    this.paramSteps.set(p.name, step);
    return { buffers, step, created };
  }

  stateDict(): OptimizerState {
    const buffers: OptimizerState['buffers'] = {};
    for (const [key, t] of this.state) buffers[key] = { shape: [...t.shape], data: t.data.slice() };
    for (const [name, n] of this.paramSteps) buffers[`${name}.step`] = { shape: [], data: Float64Array.of(n) };
    return { kind: this.config.kind, step: this.stepCount, lr: this.lr, buffers };
  }

  loadStateDict(s: OptimizerState): void {
    if (s.kind !== this.config.kind) throw new Error(`optimizer state is for '${s.kind}', but this optimizer is '${this.config.kind}'`);
    if (!Number.isInteger(s.step) || s.step < 0) throw new Error(`optimizer state: step must be a non-negative integer, got ${s.step}`);
    if (!(s.lr >= 0)) throw new Error(`optimizer state: lr must be ≥ 0, got ${s.lr}`);
    const loaded = parseBuffers(s, this.slots);
    this.dispose();
    for (const [key, t] of loaded.tensors) this.state.set(key, t);
    for (const [name, n] of loaded.steps) this.paramSteps.set(name, n);
    this.stepCount = s.step;
    this.lr = s.lr;
  }

  dispose(): void {
    for (const t of this.state.values()) t.dispose();
    this.state.clear();
    this.paramSteps.clear();
  }
}

function checkParam(p: Tensor, i: number, names: Set<string>, g: Tensor | undefined): void {
  if (!p.name) throw new Error(`optimizer: parameter ${i} (${p.describe()}) has no name; call nameParameters() on the root module`);
  if (names.has(p.name)) throw new Error(`optimizer: two parameters are named '${p.name}'`);
  names.add(p.name);
  if (g && (!shapesEqual(g.shape, p.shape) || g.dtype !== p.dtype)) {
    throw new Error(`optimizer: gradient of '${p.name}' is ${fmtShape(g.shape)} ${g.dtype}, the parameter is ${fmtShape(p.shape)} ${p.dtype}`);
  }
}

function castCopy(t: Tensor, dtype: Tensor['dtype']): Tensor {
  const out = tensor(t.data, t.shape, dtype);
  t.dispose();
  return out;
}

/** Validate buffers against the slots this optimizer knows; returns kept tensors and step counts. */
function parseBuffers(s: OptimizerState, slots: readonly string[]): { tensors: Map<string, Tensor>; steps: Map<string, number> } {
  const tensors = new Map<string, Tensor>();
  const steps = new Map<string, number>();
  try {
    for (const [key, b] of Object.entries(s.buffers)) {
      const dot = key.lastIndexOf('.');
      const [name, slot] = [key.slice(0, dot), key.slice(dot + 1)];
      const size = b.shape.reduce((a, d) => a * d, 1);
      if (dot <= 0 || (slot !== 'step' && !slots.includes(slot))) throw new Error(`optimizer state: buffer '${key}' is not a ${s.kind} buffer (expected <param>.${[...slots, 'step'].join('|')})`);
      if (b.data.length !== size) throw new Error(`optimizer state: buffer '${key}' has ${b.data.length} values for shape ${fmtShape(b.shape)}`);
      if (slot === 'step') {
        const n = b.data[0]!;
        if (!Number.isInteger(n) || n < 0) throw new Error(`optimizer state: '${key}' must be a non-negative integer, got ${n}`);
        steps.set(name, n);
      } else tensors.set(key, keep(tensor(b.data, b.shape, b.data instanceof Float64Array ? 'float64' : 'float32')));
    }
  } catch (err) {
    for (const t of tensors.values()) t.dispose();
    throw err;
  }
  return { tensors, steps };
}
