/// <reference types="vitest" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const gateway = 'http://127.0.0.1:8000';

export default defineConfig({
  // Relative asset paths: the Flask gateway serves ui/dist at `/`.
  base: './',
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: gateway, changeOrigin: true },
      '/orders': { target: gateway, changeOrigin: true },
      '/ws': { target: gateway.replace('http', 'ws'), ws: true, changeOrigin: true },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
