import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The editor is built into dist/editor and served by the runtime at `/`.
export default defineConfig({
  root: fileURLToPath(new URL('./editor', import.meta.url)),
  build: {
    outDir: fileURLToPath(new URL('./dist/editor', import.meta.url)),
    emptyOutDir: true,
  },
});
