/** Reverse-mode differentiation over the gradient nodes that runKernel recorded. */
import { noGrad } from './engine.js';
import { add, onesLike } from './ops.js';
import { fmtShape } from './shape.js';
import type { Tensor } from './tensor.js';

/**
 * Gradients of `output` with respect to every leaf that requires a gradient.
 * `output` must be a scalar unless `seed` (dOutput) is given.
 */
export function backward(output: Tensor, seed?: Tensor): Map<Tensor, Tensor> {
  if (!output.requiresGrad) throw new Error('backward: the output does not depend on any tensor that requires a gradient');
  if (!seed && output.size !== 1) throw new Error(`backward: output has shape ${fmtShape(output.shape)}; pass a seed gradient for non-scalar outputs`);
  return noGrad(() => {
    const order = topoOrder(output);
    const grads = new Map<Tensor, Tensor>([[output, seed ?? onesLike(output)]]);
    const leaves = new Map<Tensor, Tensor>();
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = grads.get(t);
      if (!g) continue;
      if (!t.node) {
        leaves.set(t, g);
        continue;
      }
      const inputGrads = t.node.backward(g);
      t.node.inputs.forEach((inp, k) => {
        const gi = inputGrads[k];
        if (!gi || !inp.requiresGrad) return;
        const prev = grads.get(inp);
        grads.set(inp, prev ? add(prev, gi) : gi);
      });
    }
    return leaves;
  });
}

/** Tensors reachable from `root` through gradient nodes, inputs before the ops that use them. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i]!;
      if (next.requiresGrad && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}
