import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The editor is built into dist/editor and served by the runtime at `/`. It imports shared/ and
// nodes/catalog.ts directly, so the browser validates flows with the same code as the server.
export default defineConfig({
  root: fileURLToPath(new URL('./editor', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/editor', import.meta.url)),
    emptyOutDir: true,
    // One chunk for the app; the canvas library is most of it and every page needs the shell.
    chunkSizeWarningLimit: 2000,
  },
  server: {
    // `npx vite` for editor work: API calls go to a running `salve serve`.
    proxy: { '/api': 'http://127.0.0.1:8470', '/healthz': 'http://127.0.0.1:8470' },
  },
});
