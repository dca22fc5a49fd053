// One CLI command: its name, one-line summary, usage, options (node:util parseArgs) and run(). A command throws
// UsageError for bad arguments (exit 2) and any other Error for failures (exit 1); agentos.ts prints one line.
import type { ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export interface CliCommand {
  name: string;
  summary: string;
  /** after "agentos NAME" */
  usage: string;
  /** option name -> description for --help */
  help: Record<string, string>;
  options: Options;
  /** resolves with the exit code; long-running commands resolve when they end */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function helpText(cmd: CliCommand): string {
  const lines = [`usage: agentos ${cmd.name} ${cmd.usage}`.trimEnd(), '', cmd.summary, '', 'options:'];
  const all = { ...cmd.help, help: 'show this help' };
  const width = Math.max(...Object.keys(all).map((k) => k.length)) + 4;
  for (const [name, text] of Object.entries(all)) lines.push(`  --${name.padEnd(width)}${text}`);
  return lines.join('\n');
}

/** the handler of the first positional (default `fallback`), or a UsageError listing the valid ones */
export function pickSubcommand<T>(
  subcommands: Readonly<Record<string, T>>,
  args: ParsedArgs,
  fallback: string,
): { run: T; rest: string[] } {
  const [sub = fallback, ...rest] = args.positionals;
  const run = Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
  if (run === undefined) {
    throw new UsageError(`unknown subcommand "${sub}"; valid: ${Object.keys(subcommands).join(', ')}`);
  }
  return { run, rest };
}

/** an integer option value, or a UsageError naming the option */
export function intOption(values: ParsedArgs['values'], name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n))
    throw new UsageError(`--${name} must be an integer, got "${String(v)}"`);
  return n;
}
