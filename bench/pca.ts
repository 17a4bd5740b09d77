/**
 * The PCA baseline of the quality table, computed by aekit's own engine: fit k principal
 * components on the 60,000 MNIST training digits, report the squared reconstruction error per
 * test digit (Hinton & Salakhutdinov 2006 report 13.87 for 30 components).
 *   node dist/bench/pca.js [--components 30] [--backend native|reference]
 */
import { parseArgs } from 'node:util';
import { registerBuiltinBackends } from '../src/backends/index.js';
import { setBackend } from '../src/core/index.js';
import { loadMnist } from '../src/data/index.js';
import { fitPca, pcaSquaredError } from '../src/apps/pca.js';

const { values } = parseArgs({ options: { components: { type: 'string', default: '30' }, backend: { type: 'string', default: 'auto' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('usage: node dist/bench/pca.js [--components K] [--backend auto|native|reference]');
  process.exit(0);
}
const k = Number(values.components);
if (!Number.isInteger(k) || k < 1 || k > 784) {
  console.error(`--components must be an integer in [1, 784], got ${JSON.stringify(values.components)}`);
  process.exit(2);
}
registerBuiltinBackends();
const be = await setBackend(values.backend!);
const t0 = performance.now();
const pca = fitPca(loadMnist('train'), k);
const seconds = (performance.now() - t0) / 1000;
const err = pcaSquaredError(pca, loadMnist('test'));
console.log(JSON.stringify({ components: k, testSquaredErrorPerImage: err, testMsePerPixel: err / 784, explainedVariance: pca.variances.reduce((a, b) => a + b, 0), iterations: pca.iterations, fitSeconds: seconds, backend: be.name }));
