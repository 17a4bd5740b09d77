// Vite config of aekit studio: `npm run build:studio` writes dist/studio; `npm run studio:dev` serves
// it with the same COOP/COEP headers, MNIST files and run list as `aekit studio` (built dist/ needed).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root,
  base: './',
  build: { outDir: fileURLToPath(new URL('../dist/studio', import.meta.url)), emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
  server: { headers: isolation, host: '127.0.0.1' },
  preview: { headers: isolation },
  plugins: [{
    name: 'aekit-studio-data',
    async configureServer(server) {
      const { mnistBytes, mnistFiles } = await import('../dist/src/cli/studio-server.js');
      const files = mnistFiles();
      server.middlewares.use((req, res, next) => {
        const u = new URL(req.url ?? '/', 'http://x');
        const m = /^\/data\/mnist\/([a-z-]+)$/.exec(u.pathname);
        if (req.url === '/runs.json') return res.end('[]');
        if (!m || !files[m[1]]) return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        res.end(mnistBytes(files[m[1]], Number(u.searchParams.get('limit')) || null));
      });
    },
  }],
});
