// Runs the e2e suite with node's test runner (kept for `npm run e2e`).
import { run } from "node:test";
import { spec } from "node:test/reporters";
import { resolve } from "node:path";

run({ files: [resolve(import.meta.dirname, "app.test.mjs"), resolve(import.meta.dirname, "supervisor.test.mjs")], concurrency: 1 })
  .on("test:fail", () => (process.exitCode = 1))
  .compose(spec)
  .pipe(process.stdout);
