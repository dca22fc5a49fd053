// onnxruntime-node 1.30 on Linux keeps a telemetry database under $HOME/.cache/Microsoft; the gateway's rl policy
// turns it off unless the operator set ORT_DISABLE_TELEMETRY. Each case loads a model in a fresh process with its own
// HOME, because the native library reads the variable once when it loads.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Mlp } from '../../models/rl/mlp.js';
import { Rng } from '../../models/rl/rng.js';
import { shipModel } from '../../models/rl/ship.js';
import { DEFAULT_LIMITS, FEATURE_COUNT } from '../../runtime/scheduler/features.js';
import { cardSkeleton } from '../../runtime/scheduler/model-card.js';
import { repoRoot } from '../helpers/teardown.js';
import { tempDir } from '../helpers/temp-dir.js';

const CI_VARIABLES = [
  'CI',
  'TF_BUILD',
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'CIRCLECI',
  'TRAVIS',
  'JENKINS_URL',
  'CODEBUILD_BUILD_ID',
  'BUILDKITE',
  'TEAMCITY_VERSION',
  'APPVEYOR',
  'BITBUCKET_BUILD_NUMBER',
];

/** loads the model in a child process with HOME=home; resolves with the variable as the child saw it after loading */
function loadInChild(dir: string, home: string, env: NodeJS.ProcessEnv): Promise<string> {
  const script = join(dir, 'load.mts');
  writeFileSync(
    script,
    [
      `import { RlOnnxPolicy } from '${repoRoot}runtime/scheduler/policies/rl-policy.js';`,
      `const p = await RlOnnxPolicy.load('${join(dir, 'm.onnx')}', '${join(dir, 'm.card.json')}');`,
      'await p.close();',
      "process.stdout.write(String(process.env['ORT_DISABLE_TELEMETRY']));",
    ].join('\n'),
  );
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CACHE_HOME: join(home, '.cache'), ...env };
  // onnxruntime keeps quiet by itself on a CI machine (these names are in libonnxruntime's strings); the control case
  // must look like an operator's machine, so they are removed
  for (const v of CI_VARIABLES) delete childEnv[v];
  if (!('ORT_DISABLE_TELEMETRY' in env)) delete childEnv['ORT_DISABLE_TELEMETRY'];
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', script],
      { cwd: repoRoot, env: childEnv, timeout: 60000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
}

t.test('loading the model writes no telemetry unless the operator asks for it', async (t) => {
  const dir = await tempDir(t, 'rl-telemetry-');
  const net = new Mlp([FEATURE_COUNT, 8, 1], new Rng(5));
  shipModel(net, cardSkeleton([...net.sizes], true, DEFAULT_LIMITS), dir, 'm');
  const telemetryDir = (home: string) => join(home, '.cache', 'Microsoft', 'DeveloperTools', '.onnxruntime');

  const quiet = await tempDir(t, 'rl-home-');
  t.equal(await loadInChild(dir, quiet, {}), '1', 'the policy set ORT_DISABLE_TELEMETRY=1');
  t.notOk(existsSync(telemetryDir(quiet)), 'no telemetry database under HOME');

  // the control: the operator's explicit setting wins, and then onnxruntime does write (so the check above can fail)
  const loud = await tempDir(t, 'rl-home-');
  t.equal(await loadInChild(dir, loud, { ORT_DISABLE_TELEMETRY: '0' }), '0', "the operator's setting is kept");
  t.ok(existsSync(telemetryDir(loud)), 'onnxruntime wrote its telemetry database when allowed');
});
