// The steps of an install and an uninstall, as data: pure functions of the options, the unit text and what the host
// already has, so the order is tested by recording them (service-host.ts runs them) and --dry-run prints them.
import type { ServiceOptions } from './service-options.js';
import { unitPath } from './service-options.js';

export type Step =
  | {
      kind: 'run';
      argv: string[];
      /** exit codes that count as success (default [0]) */
      okCodes?: readonly number[];
      /** appended to the error when it fails: what it means for the operator */
      failure?: string;
      /** what it prints on stderr despite success is a warning to show (systemd-analyze verify exits 0 on ignored lines) */
      warnOnOutput?: boolean;
    }
  | { kind: 'write'; path: string; text: string; mode: number }
  | { kind: 'remove'; path: string };

/** what the host already has; gathered read-only, so --dry-run can use it too */
export interface HostState {
  userExists: boolean;
  /** of the groups the user joins, those that exist */
  groups: readonly string[];
  unitExists: boolean;
}

const run = (argv: string[], extra: Omit<Extract<Step, { kind: 'run' }>, 'kind' | 'argv'> = {}): Step => ({
  kind: 'run',
  argv,
  ...extra,
});

export function installPlan(o: ServiceOptions, unitText: string, host: HostState, nodePath: string, entryPath: string) {
  const steps: Step[] = [];
  const service = `${o.name}.service`;
  if (!host.userExists) {
    // home = the data dir: anything that writes to $HOME lands in the one writable folder
    const comment = ['--comment', 'AgentOS Edge gateway'];
    const flags = [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      o.dataDir,
      '--shell',
      '/usr/sbin/nologin',
    ];
    steps.push(run(['useradd', ...flags, ...comment, o.user]));
  }
  if (host.groups.length > 0) steps.push(run(['usermod', '--append', '--groups', host.groups.join(','), o.user]));
  steps.push(run(['install', '-d', '-o', o.user, '-g', o.user, '-m', '0750', o.dataDir]));
  // as the service user, before anything points at it: a checkout in a 0700 home folder fails here, not at boot
  const cannot = `the service user ${o.user} cannot run the gateway`;
  steps.push(
    run(['runuser', '-u', o.user, '--', nodePath, entryPath, '--help'], {
      failure: `${cannot}; is it under a home folder it may not enter? Install globally (sudo npm install -g) or under /opt`,
    }),
  );
  if (o.configFile !== null) {
    steps.push(
      run(['runuser', '-u', o.user, '--', 'test', '-r', o.configFile], {
        failure: `${o.user} cannot read ${o.configFile}: chgrp ${o.user} ${o.configFile} && chmod 0640 ${o.configFile}`,
      }),
    );
  }
  steps.push({ kind: 'write', path: unitPath(o), text: unitText, mode: 0o644 });
  // it exits 0 for a line it ignores (an unknown key on an older systemd): those are printed as warnings
  steps.push(
    run(['systemd-analyze', 'verify', unitPath(o)], { failure: 'systemd rejects the unit', warnOnOutput: true }),
  );
  steps.push(run(['systemctl', 'daemon-reload']));
  steps.push(run(['systemctl', 'enable', service]));
  // restart, not `enable --now`: a reinstall must replace a running gateway's old settings; restart starts a stopped one
  if (!o.noStart) steps.push(run(['systemctl', 'restart', service], { failure: `see journalctl -u ${o.name} -e` }));
  return steps;
}

/** the reverse of installPlan; the data dir and the user only with --purge */
export function uninstallPlan(o: ServiceOptions, host: HostState): Step[] {
  const steps: Step[] = [];
  const service = `${o.name}.service`;
  if (host.unitExists) {
    steps.push(run(['systemctl', 'disable', '--now', service]));
    steps.push({ kind: 'remove', path: unitPath(o) });
    steps.push(run(['systemctl', 'daemon-reload']));
    // forget a failed state, or the removed unit stays in `systemctl --failed`; not an error when there is none
    steps.push(run(['systemctl', 'reset-failed', service], { okCodes: [0, 1, 5] }));
  }
  if (o.purge) {
    steps.push(run(['rm', '-rf', '--one-file-system', '--', o.dataDir]));
    if (host.userExists) steps.push(run(['userdel', o.user]));
  }
  return steps;
}

/** a step as the shell line an operator could type */
export function stepLine(step: Step): string {
  switch (step.kind) {
    case 'run':
      return step.argv.map(shellWord).join(' ');
    case 'write':
      return `write ${step.path} (mode ${step.mode.toString(8).padStart(4, '0')})`;
    case 'remove':
      return `rm -f -- ${shellWord(step.path)}`;
  }
}

export function shellWord(word: string): string {
  return /^[A-Za-z0-9._@+,:=/%-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
