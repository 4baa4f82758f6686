// Checks that every translation key the UI names literally — t("a.b"),
// i18next.t("a.b"), i18nKey="a.b" — exists in the English strings (ru and
// uk are typed against English, so tsc holds them to the same keys). A key
// missing there shows the operator a raw "a.b" instead of words.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const root = new URL("..", import.meta.url).pathname;
const src = join(root, "src");

async function load(file) {
  const code = ts.transpileModule(readFileSync(join(src, "i18n", file), "utf8"), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  return (await import("data:text/javascript;base64," + Buffer.from(code).toString("base64"))).default;
}

const keys = new Set();
function flatten(obj, prefix) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object") flatten(v, key);
    else keys.add(key.replace(/_(zero|one|two|few|many|other)$/, ""));
  }
}
flatten(await load("en.ts"), "");
flatten(await load("console.en.ts"), "console");

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.tsx?$/.test(name) && !p.includes(`${join("src", "i18n")}`)) yield p;
  }
}

const literal = /(?:\bt|i18next\.t|i18n\.t)\(\s*(["'])([A-Za-z0-9_.]+)\1|i18nKey=(["'])([A-Za-z0-9_.]+)\3/g;
const missing = [];
for (const file of files(src)) {
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(literal)) {
    const key = m[2] ?? m[4];
    if (!key.includes(".")) continue; // not a key path (e.g. t("x") of another API)
    if (!keys.has(key)) {
      const line = text.slice(0, m.index).split("\n").length;
      missing.push(`${relative(root, file)}:${line}: ${key}`);
    }
  }
}
if (missing.length) {
  console.error("i18n: these keys have no English string (the UI would show the raw key):");
  for (const m of missing) console.error("  " + m);
  process.exit(1);
}
console.log(`i18n: ${keys.size} keys, every literal key used in src exists`);
