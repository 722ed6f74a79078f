import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The server (api/webapp.py) answers index.html for every app route and the hashed files under
// /app/assets/ with a long cache; `base` makes the built page name them there.
export default defineConfig({
  base: "/app/",
  plugins: [react()],
  build: { outDir: "dist", assetsDir: "assets", sourcemap: false, chunkSizeWarningLimit: 1200 },
});
