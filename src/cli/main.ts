/**
 * `npx orch …` (bin/orch.js runs this): reads .env from the working
 * directory as `npm start` does, runs one command line (program.ts) and
 * exits with its code. A failure inside orch prints its message and exits 1.
 */
import fs from "node:fs";
import { runCli } from "./program.js";

if (fs.existsSync(".env")) process.loadEnvFile(".env");

const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  write: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  cwd: process.cwd(),
}).catch((error: unknown) => {
  process.stderr.write(`orch: ${error instanceof Error ? error.message : String(error)}\n`);
  if (process.env.ORCH_CLI_LOG_LEVEL === "debug" && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 1;
});
// Queues and database pools may hold the event loop open; the answer is out (stdout on a pipe or file is synchronous here).
process.exit(code);
