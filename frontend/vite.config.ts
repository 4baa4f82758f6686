import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    // Keep the tracked dist/.gitkeep: Go embeds dist, and a fresh clone
    // must vet and test without a front-end build.
    emptyOutDir: false,
    // No inline <script> or data: modules: the CSP allows only 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
