#!/usr/bin/env node
// `npx orch …`: the operator's command line (src/cli/). Runs the compiled
// lib/ when it is there (`npm run build`, and every `npm start`, make it);
// right after `npm install`, before any build, it runs the TypeScript
// source through tsx, which a clone's `npm install` brings.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
const rootDir = path.resolve(fileURLToPath(root));
// `npm start` runs in the package's folder wherever it is typed; so does `npx orch` inside
// the package (npm names it in npm_config_local_prefix), so both read the same .env and ./data.
const prefix = process.env.npm_config_local_prefix;
if (prefix && path.resolve(prefix) === rootDir && process.cwd() !== rootDir) process.chdir(rootDir);

const built = new URL("lib/cli/main.js", root);
if (fs.existsSync(fileURLToPath(built))) {
  await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: fileURLToPath(new URL("tsconfig.json", root)) });
  await import(new URL("src/cli/main.ts", root).href);
}
