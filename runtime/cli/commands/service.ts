// agentos service install|uninstall|status: the gateway as a systemd service that starts at boot, restarts on
// failure, logs to the journal and runs as an unprivileged system user (runtime/cli/service/). Only the options are
// loaded with the CLI; the rest when the command runs, so a gateway process does not carry it.
import type { CliCommand } from '../command.js';
import type { ServiceHost } from '../service/service-host.js';
import type { ServiceContext } from '../service/service-install.js';
import { parseServiceOptions, serviceHelp, serviceOptions } from '../service/service-options.js';

export interface ServiceCommandDeps {
  host: ServiceHost;
  nodePath: string;
  entryPath: string;
}

/** the command over a given host; the CLI's uses the real one, tests a recording one */
export function makeServiceCommand(deps?: () => ServiceCommandDeps): CliCommand {
  return {
    name: 'service',
    summary:
      'Run the gateway as a systemd service: install (system user, data dir, hardened unit, enable and start), uninstall, status.',
    usage:
      'install [--user U] [--data-dir DIR] [--config FILE] [--dry-run] [--no-start] | uninstall [--purge] [--dry-run] | status',
    help: serviceHelp,
    options: serviceOptions,
    async run(args, io) {
      const o = parseServiceOptions(args);
      const [{ systemHost }, { gatewayEntry }, { install, uninstall }, { printStatus, serviceStatus, statusCode }] =
        await Promise.all([
          import('../service/service-host.js'),
          import('../service/unit-spec.js'),
          import('../service/service-install.js'),
          import('../service/service-status.js'),
        ]);
      const d = deps?.() ?? { host: systemHost(io.env), nodePath: process.execPath, entryPath: gatewayEntry() };
      const ctx: ServiceContext = { ...d, out: io.out };
      if (o.action === 'install') return install(o, ctx);
      if (o.action === 'uninstall') return uninstall(o, ctx);
      const s = await serviceStatus(o, ctx);
      if (o.json) io.out(JSON.stringify(s, null, 2));
      else printStatus(s, o, io.out);
      return statusCode(s);
    },
  };
}

export const serviceCommand: CliCommand = makeServiceCommand();
