#!/usr/bin/env node
// The `agentos` command (package.json bin). See main.ts and commands/.
import { main } from './main.js';

const code = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
process.exitCode = code;
