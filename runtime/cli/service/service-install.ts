// `agentos service install` and `uninstall`: settle the inputs, render the unit, plan the steps, then print them
// (--dry-run) or run them as root. Refuses without root, naming the sudo command to run.
import { executeSteps, known, type ServiceHost } from './service-host.js';
import { givenArgs, installedOptions, type ServiceOptions, unitPath } from './service-options.js';
import { type HostState, installPlan, type Step, stepLine, uninstallPlan } from './service-plan.js';
import { renderUnit, type UnitSpec } from './unit-file.js';
import { buildUnitSpec, readConfigFacts, SERVICE_GROUPS, type SpecInputs, specNotes } from './unit-spec.js';

export interface ServiceContext {
  host: ServiceHost;
  /** process.execPath */
  nodePath: string;
  /** dist/runtime/cli/agentos.js of this installation */
  entryPath: string;
  out: (line: string) => void;
}

export interface PreparedUnit {
  options: ServiceOptions;
  spec: UnitSpec;
  text: string;
  notes: string[];
}

/** the unit `install` writes for these options on this host (also what `status` compares against) */
export async function prepareUnit(o: ServiceOptions, ctx: ServiceContext): Promise<PreparedUnit> {
  const groups: string[] = [];
  for (const g of SERVICE_GROUPS) if (await known(ctx.host, 'group', g)) groups.push(g);
  const inputs: SpecInputs = {
    nodePath: ctx.nodePath,
    entryPath: ctx.entryPath,
    groups,
    config: await readConfigFacts(o.configFile),
  };
  const { spec, options } = buildUnitSpec(o, inputs);
  return { options, spec, text: renderUnit(spec), notes: specNotes(options, spec, inputs) };
}

/** checks before anything is changed: root, and systemd to talk to */
async function refuseUnlessRoot(o: ServiceOptions, ctx: ServiceContext): Promise<void> {
  if (!o.dryRun && ctx.host.isRoot() && !(await ctx.host.systemdRunning()))
    throw new Error(
      'systemd is not running on this host (no /run/systemd/system): there is no service manager to install into',
    );
  if (o.dryRun || ctx.host.isRoot()) return;
  const line = ['sudo', ctx.nodePath, ctx.entryPath, 'service', o.action, ...givenArgs(o)].join(' ');
  const what =
    o.action === 'install' ? `creates the user ${o.user} and writes ${unitPath(o)}` : `removes ${unitPath(o)}`;
  throw new Error(`must run as root (it ${what}); run: ${line}  (or add --dry-run to see what it would do)`);
}

/** the kernel's memory cgroup, from /proc/cgroups; null when unknown */
async function memoryCgroupOn(host: ServiceHost): Promise<boolean | null> {
  const text = await host.readText('/proc/cgroups');
  const line = text?.split('\n').find((l) => l.startsWith('memory\t') || l.startsWith('memory '));
  return line === undefined ? null : line.trim().split(/\s+/)[3] === '1';
}

function printPlan(ctx: ServiceContext, steps: readonly Step[], header: string): void {
  ctx.out(header);
  if (steps.length === 0) ctx.out('  (nothing to do)');
  for (const s of steps) ctx.out(`  ${stepLine(s)}`);
}

export async function install(o: ServiceOptions, ctx: ServiceContext): Promise<number> {
  await refuseUnlessRoot(o, ctx);
  const unit = await prepareUnit(o, ctx);
  const opts = unit.options;
  const notes = [...unit.notes];
  const missing =
    (await ctx.host.readText(ctx.entryPath)) === null
      ? `${ctx.entryPath} does not exist: build it first (npm run build)`
      : null;
  if (missing !== null) notes.push(missing);
  if ((await memoryCgroupOn(ctx.host)) === false)
    notes.push(
      `the kernel's memory cgroup is off (Raspberry Pi OS default): MemoryMax=${opts.memoryMax} has no effect until cgroup_enable=memory is added to /boot/firmware/cmdline.txt`,
    );
  const state: HostState = {
    userExists: await known(ctx.host, 'passwd', opts.user),
    groups: unit.spec.groups,
    unitExists: (await ctx.host.readText(unitPath(opts))) !== null,
  };
  const steps = installPlan(opts, unit.text, state, ctx.nodePath, ctx.entryPath);
  for (const n of notes) ctx.out(`note: ${n}`);
  if (o.dryRun) {
    ctx.out(`${unitPath(opts)}:`);
    for (const line of unit.text.trimEnd().split('\n')) ctx.out(line === '' ? '' : `  ${line}`);
    printPlan(ctx, steps, 'commands (dry run, none was run):');
    return 0;
  }
  if (missing !== null) throw new Error(missing);
  await executeSteps(ctx.host, steps, ctx.out);
  const cli = `sudo -u ${opts.user} ${ctx.nodePath} ${ctx.entryPath}`;
  ctx.out(
    `${state.unitExists ? 'reinstalled' : 'installed'} ${opts.name}.service: runs as ${opts.user}, state in ${opts.dataDir}, ${o.noStart ? 'enabled at boot, not started (--no-start)' : 'enabled at boot and (re)started'}`,
  );
  ctx.out(`  status: ${ctx.nodePath} ${ctx.entryPath} service status --name ${opts.name}`);
  ctx.out(`  logs:   journalctl -u ${opts.name} -f -o cat`);
  ctx.out(`  identities, as the service user (root-owned files lock the gateway out):`);
  ctx.out(`          ${cli} credentials add me --kind operator --role admin --data-dir ${opts.dataDir}`);
  return 0;
}

/** the options `install` recorded in the unit, with any flag given now winning */
function withInstalled(o: ServiceOptions, text: string | null): ServiceOptions {
  const rec = text === null ? null : installedOptions(text);
  if (rec === null) return o;
  return {
    ...o,
    user: o.given.has('user') ? o.user : rec.user,
    dataDir: o.given.has('data-dir') ? o.dataDir : rec.dataDir,
  };
}

export async function uninstall(o: ServiceOptions, ctx: ServiceContext): Promise<number> {
  await refuseUnlessRoot(o, ctx);
  const text = await ctx.host.readText(unitPath(o));
  const opts = withInstalled(o, text);
  const state: HostState = {
    userExists: await known(ctx.host, 'passwd', opts.user),
    groups: [],
    unitExists: text !== null,
  };
  if (text === null) ctx.out(`note: ${unitPath(opts)} is not there (not installed, or another --name / --unit-dir)`);
  const steps = uninstallPlan(opts, state);
  if (o.dryRun) {
    printPlan(ctx, steps, 'commands (dry run, none was run):');
    return 0;
  }
  await executeSteps(ctx.host, steps, ctx.out);
  if (state.unitExists) ctx.out(`removed ${opts.name}.service`);
  if (!o.purge) ctx.out(`kept the user ${opts.user} and ${opts.dataDir} (uninstall --purge deletes them)`);
  return 0;
}
