/**
 * The portal's front end: `vite build web` bundles it into dist/web, which Mimosa serves at / (src/portal).
 * `vite web` serves it with hot reload against a broker on 127.0.0.1:1026 (`npm run dev` in another shell).
 */
import { defineConfig } from 'vite';

const broker = 'http://127.0.0.1:1026';

export default defineConfig({
  build: { outDir: '../dist/web', emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: { proxy: { '/ngsi-ld': broker, '/mimosa': broker, '/iot': broker, '/health': broker } },
});
