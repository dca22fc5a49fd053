// Dispatches argv to a command; prints errors as one line and returns the exit code. Separate from the entry file so
// tests can run it in-process.
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/load.js';
import { type CliCommand, type CliIo, helpText, UsageError } from './command.js';
import { commands } from './commands/index.js';

function topHelp(list: readonly CliCommand[]): string {
  const width = Math.max(...list.map((c) => c.name.length)) + 2;
  return [
    'usage: agentos COMMAND [options]',
    '',
    'AgentOS Edge gateway.',
    '',
    'commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run "agentos COMMAND --help" for the options of one command.',
  ].join('\n');
}

export async function main(
  argv: readonly string[],
  io: CliIo,
  list: readonly CliCommand[] = commands,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(topHelp(list));
    return name === undefined ? 2 : 0;
  }
  const cmd = list.find((c) => c.name === name);
  try {
    if (!cmd) throw new UsageError(`unknown command "${name}"; valid: ${list.map((c) => c.name).join(', ')}`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(helpText(cmd));
      return 0;
    }
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: [...rest], options: cmd.options, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments');
    }
    return await cmd.run(
      { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals },
      io,
    );
  } catch (err) {
    const usage = err instanceof UsageError;
    const prefix = err instanceof ConfigError ? '' : usage ? 'usage: ' : '';
    io.err(`agentos${cmd ? ` ${cmd.name}` : ''}: error: ${prefix}${oneLine(err)}`);
    return usage ? 2 : 1;
  }
}

function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s*\n\s*/g, ' ');
}
