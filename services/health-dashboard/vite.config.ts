import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The app lives in src/web; `vite build` writes dist/ (served by the built-in server or nginx).
export default defineConfig({
  root: fileURLToPath(new URL('./src/web', import.meta.url)),
  // Relative asset URLs, resolved against index.html's <base href>: '/' normally, Home Assistant's ingress
  // prefix when the server answers the Supervisor (server/static.ts rewrites it).
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 800,
  },
});
