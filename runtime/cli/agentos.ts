#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=1 --heap-growing-percent=10 --compact-on-every-full-gc
// The `agentos` command (package.json bin). See main.ts and commands/. The shebang passes the gateway's V8 flags
// and environment (GATEWAY_V8_FLAGS, GATEWAY_ENV in gateway-process.ts; `env -S` needs GNU coreutils >= 8.30 or a BSD
// env).
import { main } from './main.js';

const code = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
process.exitCode = code;
