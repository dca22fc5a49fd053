// The manifest of a software agent: the folder's agent.json (or agent.yaml). Checked against one JSON Schema that
// reports every error at once with its field path, then the entry is resolved inside the folder (no escape by `..`
// or a symlink).
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, sep } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

export type RestartPolicyName = 'always' | 'on-failure' | 'never';

export interface RestartSpec {
  policy: RestartPolicyName;
  /** first restart delay; doubles per consecutive failure */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** more restarts than this inside crashLoopWindowMs marks the agent failed for good */
  crashLoopMax: number;
  crashLoopWindowMs: number;
  /** a run longer than this resets the backoff */
  healthyAfterMs: number;
}

export interface AgentManifest {
  /** agent id on the gateway */
  name: string;
  version: string;
  description: string;
  /** path of the program inside the folder (.js, .mjs, .cjs; .ts runs through tsx) */
  entry: string;
  args: string[];
  capabilities: string[];
  limits: {
    /** V8 heap limit and RSS ceiling, MiB */
    memoryMb: number;
    /** advertised cpu capacity, cores */
    cpu: number;
    /** storage quota (kv plus files), MiB; the gateway's kernel.storageQuotaBytes when absent */
    storageMb?: number | undefined;
  };
  restart: RestartSpec;
  env: Record<string, string>;
  /** SIGTERM, then SIGKILL after this long */
  stopGraceMs: number;
  /**
   * what network the agent needs when sandboxed: `gateway-only` (its own empty network namespace, the gateway through
   * its Unix socket) or `host` (the host's network). Absent = gateway-only when the gateway sandboxes agents.
   */
  network?: AgentNetwork | undefined;
}

export type AgentNetwork = 'gateway-only' | 'host';

export const MANIFEST_FILES = ['agent.json', 'agent.yaml', 'agent.yml'] as const;
export const AGENT_NAME_PATTERN = '^[a-z0-9][a-z0-9._-]{0,63}$';

export const manifestSchema = {
  $id: 'https://agentos.dev/schemas/agent-manifest.json',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'entry'],
  properties: {
    name: { type: 'string', pattern: AGENT_NAME_PATTERN },
    version: { type: 'string', maxLength: 64, default: '0.0.0' },
    description: { type: 'string', maxLength: 1024, default: '' },
    entry: { type: 'string', minLength: 1, maxLength: 1024 },
    args: { type: 'array', maxItems: 64, items: { type: 'string', maxLength: 4096 }, default: [] },
    capabilities: {
      type: 'array',
      maxItems: 256,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z][a-z0-9_-]*(\\.[a-z0-9_-]+)*$', maxLength: 64 },
      default: [],
    },
    limits: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        memoryMb: { type: 'integer', minimum: 16, maximum: 65536, default: 128 },
        cpu: { type: 'number', exclusiveMinimum: 0, maximum: 256, default: 1 },
        storageMb: { type: 'integer', minimum: 0, maximum: 1048576 },
      },
    },
    restart: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        policy: { enum: ['always', 'on-failure', 'never'], default: 'on-failure' },
        backoffInitialMs: { type: 'integer', minimum: 10, maximum: 3600000, default: 500 },
        backoffMaxMs: { type: 'integer', minimum: 10, maximum: 3600000, default: 30000 },
        crashLoopMax: { type: 'integer', minimum: 0, maximum: 1000, default: 5 },
        crashLoopWindowMs: { type: 'integer', minimum: 100, maximum: 86400000, default: 60000 },
        healthyAfterMs: { type: 'integer', minimum: 100, maximum: 86400000, default: 10000 },
      },
    },
    env: {
      type: 'object',
      default: {},
      maxProperties: 256,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$' },
      additionalProperties: { type: 'string', maxLength: 65536 },
    },
    stopGraceMs: { type: 'integer', minimum: 0, maximum: 600000, default: 5000 },
    network: { enum: ['gateway-only', 'host'] },
  },
} as const;

export class ManifestError extends Error {
  override name = 'ManifestError';
}

// Compiled on the first manifest and yaml required on the first agent.yaml, not when the gateway starts: most
// gateways supervise no agent. require() keeps loadAgentDir synchronous (yaml resolves to the same CommonJS file
// for import and require).
let validator: ValidateFunction | undefined;
const requireLazily = createRequire(import.meta.url);

function manifestValidator(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, useDefaults: true, strict: true }).compile(manifestSchema);
  return validator;
}

function parseYaml(text: string): unknown {
  return (requireLazily('yaml') as typeof import('yaml')).parse(text);
}

function describe(e: ErrorObject): string {
  let path = e.instancePath || '';
  if (e.keyword === 'required') path += `/${String(e.params['missingProperty'])}`;
  if (e.keyword === 'additionalProperties') path += `/${String(e.params['additionalProperty'])}`;
  if (e.keyword === 'additionalProperties') return `${path || '/'} is not a known field`;
  if (e.keyword === 'enum') return `${path} must be one of ${(e.params['allowedValues'] as unknown[]).join(', ')}`;
  return `${path || '/'} ${e.message ?? 'is invalid'}`;
}

/** Checks a parsed manifest object; throws one ManifestError listing every bad field. `where` names the source. */
export function parseManifest(raw: unknown, where: string): AgentManifest {
  const copy: unknown = raw === null || typeof raw !== 'object' ? raw : structuredClone(raw);
  const validate = manifestValidator();
  if (!validate(copy)) {
    const errors = (validate.errors ?? []).map(describe);
    throw new ManifestError(`invalid manifest ${where}: ${errors.join('; ')}`);
  }
  const m = copy as unknown as AgentManifest;
  if (m.restart.backoffMaxMs < m.restart.backoffInitialMs) {
    throw new ManifestError(`invalid manifest ${where}: /restart/backoffMaxMs must be >= /restart/backoffInitialMs`);
  }
  return m;
}

function readManifestFile(dir: string): { file: string; raw: unknown } {
  for (const name of MANIFEST_FILES) {
    const file = join(dir, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new ManifestError(`cannot read manifest ${file}: ${(err as Error).message}`);
    }
    try {
      return { file, raw: name.endsWith('.json') ? JSON.parse(text) : parseYaml(text) };
    } catch (err) {
      throw new ManifestError(
        `manifest ${file} is not valid ${name.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
      );
    }
  }
  throw new ManifestError(`no manifest in ${dir}: expected one of ${MANIFEST_FILES.join(', ')}`);
}

export interface LoadedAgent {
  /** real path of the agent folder */
  dir: string;
  manifestFile: string;
  /** real path of the entry, inside dir */
  entryPath: string;
  manifest: AgentManifest;
}

/** Reads and checks the manifest of an agent folder, and resolves its entry inside the folder. */
export function loadAgentDir(dirIn: string): LoadedAgent {
  let dir: string;
  try {
    dir = realpathSync(dirIn);
  } catch {
    throw new ManifestError(`agent folder ${dirIn} does not exist`);
  }
  const { file, raw } = readManifestFile(dir);
  const manifest = parseManifest(raw, file);
  if (isAbsolute(manifest.entry)) throw new ManifestError(`invalid manifest ${file}: /entry must be a relative path`);
  let entryPath: string;
  try {
    entryPath = realpathSync(join(dir, manifest.entry));
  } catch {
    throw new ManifestError(`invalid manifest ${file}: /entry ${manifest.entry} does not exist`);
  }
  const rel = relative(dir, entryPath);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw new ManifestError(`invalid manifest ${file}: /entry ${manifest.entry} resolves outside the agent folder`);
  }
  if (!statSync(entryPath).isFile())
    throw new ManifestError(`invalid manifest ${file}: /entry ${manifest.entry} is not a file`);
  return { dir, manifestFile: file, entryPath, manifest };
}
