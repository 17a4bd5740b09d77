/**
 * An opt-in look at every layer's output, used to name the layer where NaN or Inf first appears.
 * When no probe is installed the cost is one null check per layer call.
 */
import type { Tensor } from '../core/index.js';

type Probe = (layer: string, output: Tensor) => void;
let probe: Probe | null = null;

/** Run `body` with `fn` called on each layer output, in forward order. */
export function withLayerProbe<T>(fn: Probe, body: () => T): T {
  const prev = probe;
  probe = fn;
  try {
    return body();
  } finally {
    probe = prev;
  }
}

/** Called by layers after computing their output. */
export function reportLayerOutput(layer: string, output: Tensor): void {
  probe?.(layer, output);
}
