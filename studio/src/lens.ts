/**
 * What the explore page needs from a model, whether the page holds its weights (LocalLens: the
 * model built from its files, run in the page) or `aekit serve` does (ServerLens: the serve routes
 * encode, decode, reconstruct and sample, in the data's own units, NPY bodies both ways).
 */
import * as aekit from '../../dist/src/browser.js';
import type { ServerClient } from './server.js';

export interface Lens {
  kind: string;
  latentDim: number;
  inputDim: number;
  /** Prior samples and the manifold are shown when true (a Gaussian latent with a prior). */
  generative: boolean;
  conditioned: boolean;
  encode(x: Float32Array, n: number, labels: Int32Array | null): Promise<Float32Array>;
  decode(z: Float32Array, n: number, labels: Int32Array | null): Promise<Float32Array>;
  reconstruct(x: Float32Array, n: number, labels: Int32Array | null): Promise<Float32Array>;
  sample(n: number, seed: number, labels: Int32Array | null): Promise<Float32Array>;
}

export class LocalLens implements Lens {
  constructor(readonly model: aekit.Autoencoder, readonly sampleShape: readonly number[]) {}
  get kind() { return this.model.kind; }
  get latentDim() { return this.model.config.latentDim; }
  get inputDim() { return this.model.config.inputDim; }
  get generative() { return this.model.latentKind === 'gaussian' && this.model.sample !== undefined; }
  get conditioned() { return this.model.conditioning !== null; }

  private run(f: () => aekit.Tensor): Float32Array {
    return aekit.tidy(() => Float32Array.from(aekit.noGrad(f).data as Float32Array));
  }

  async encode(x: Float32Array, n: number, labels: Int32Array | null): Promise<Float32Array> {
    return this.run(() => this.model.encode(aekit.tensor(x, [n, ...this.sampleShape]), labels));
  }

  async decode(z: Float32Array, n: number, labels: Int32Array | null): Promise<Float32Array> {
    return this.run(() => this.model.decode(aekit.tensor(z, [n, this.latentDim]), labels));
  }

  async reconstruct(x: Float32Array, n: number, labels: Int32Array | null): Promise<Float32Array> {
    return this.run(() => this.model.reconstruct(aekit.tensor(x, [n, ...this.sampleShape]), labels));
  }

  async sample(n: number, seed: number, labels: Int32Array | null): Promise<Float32Array> {
    return this.run(() => this.model.sample!(n, new aekit.Rng(seed), labels));
  }
}

/** A model `aekit serve` holds, as GET /v1/models/NAME describes it. */
export interface ServedInfo {
  name: string; kind: string; latentKind: string; inputShape: number[]; inputDim: number; latentDim: number;
  conditioning: { numClasses: number } | null; operations: string[];
}

export class ServerLens implements Lens {
  constructor(private client: ServerClient, readonly info: ServedInfo) {}
  get kind() { return this.info.kind; }
  get latentDim() { return this.info.latentDim; }
  get inputDim() { return this.info.inputDim; }
  get generative() { return this.info.operations.includes('sample') && this.info.latentKind === 'gaussian'; }
  get conditioned() { return this.info.conditioning !== null; }

  private async rows(op: string, x: Float32Array, n: number, given: Int32Array | null): Promise<Float32Array> {
    const labels = this.conditioned ? given : null; // the server refuses labels for a model without classes
    const path = `/v1/models/${encodeURIComponent(this.info.name)}/${op}`;
    if (labels === null) {
      const [header, data] = aekit.encodeNpy(x, [n, x.length / n]);
      const body = new Uint8Array(header.length + data.length);
      body.set(header);
      body.set(data, header.length);
      const res = await this.client.fetch(path, { method: 'POST', body, headers: { 'content-type': 'application/x-npy', accept: 'application/x-npy' } });
      return Float32Array.from(aekit.parseNpy(new Uint8Array(await res.arrayBuffer()), `${op} answer`).data as ArrayLike<number>);
    }
    const w = x.length / n;
    const inputs = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * w, (i + 1) * w)));
    return flat(await this.client.json(path, { inputs, labels: Array.from(labels) }));
  }

  encode(x: Float32Array, n: number, labels: Int32Array | null) { return this.rows('encode', x, n, labels); }
  decode(z: Float32Array, n: number, labels: Int32Array | null) { return this.rows('decode', z, n, labels); }
  reconstruct(x: Float32Array, n: number, labels: Int32Array | null) { return this.rows('reconstruct', x, n, labels); }

  async sample(n: number, seed: number, labels: Int32Array | null): Promise<Float32Array> {
    const path = `/v1/models/${encodeURIComponent(this.info.name)}/sample`;
    return flat(await this.client.json(path, { n, seed, ...(labels && this.conditioned ? { labels: Array.from(labels) } : {}) }));
  }
}

function flat(answer: unknown): Float32Array {
  const rows = (answer as { outputs: number[][] }).outputs;
  const w = rows[0]?.length ?? 0;
  const out = new Float32Array(rows.length * w);
  rows.forEach((r, i) => out.set(r, i * w));
  return out;
}
