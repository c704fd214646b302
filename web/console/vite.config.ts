import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The console is embedded in the pulse binary: the build goes to resource/public/console, which
// the server serves at "/" (index.html), "/api" (api.html: the API page) and "/assets/*". The
// client library is compiled from its source, so it needs no build of its own first.
export default defineConfig({
  base: "/",
  resolve: {
    alias: {
      "@pulse/client": fileURLToPath(new URL("../client/src/index.ts", import.meta.url)),
    },
  },
  build: {
    outDir: "../../resource/public/console",
    emptyOutDir: true,
    assetsDir: "assets",
    // The API page's Swagger UI is one chunk of about 1.4 MB, loaded only by /api.
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: {
        console: fileURLToPath(new URL("index.html", import.meta.url)),
        api: fileURLToPath(new URL("api.html", import.meta.url)),
      },
    },
  },
  server: {
    // `npm run dev` talks to a pulse on :8000 (override with PULSE_URL).
    proxy: {
      "/api": process.env.PULSE_URL ?? "http://127.0.0.1:8000",
      "/ws": { target: process.env.PULSE_URL ?? "http://127.0.0.1:8000", ws: true },
    },
  },
});
