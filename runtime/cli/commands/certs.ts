// agentos certs: a site CA (once), a server certificate for this gateway and client certificates, made with the
// openssl CLI into the certs folder (security.certsDir, default <dataDir>/certs); also the cluster site key.
import { hostname } from 'node:os';
import { loadConfig } from '../../config/load.js';
import { altNameProblem, createSiteCertificates } from '../../security/certs.js';
import { certsDirOf, siteKeyFileOf } from '../../security/secure-access.js';
import { createSiteKey } from '../../security/site-key.js';
import type { CliCommand } from '../command.js';

export const certsCommand: CliCommand = {
  name: 'certs',
  summary: 'Create the site CA, a server certificate and client certificates (openssl), and the cluster site key.',
  usage: '[--dir DIR] [--site NAME] [--server-name NAME] [--alt-name NAME]... [--client ID]...',
  help: {
    'config FILE': 'config file (default: $AGENTOS_CONFIG); gives the certs folder and data dir',
    'data-dir DIR': 'the gateway data dir (store.dataDir)',
    'dir DIR': 'where to write (default: security.certsDir, else <dataDir>/certs)',
    'site NAME': 'site name in the CA subject (default: gateway.id)',
    'server-name NAME': 'file stem and CN of the server certificate (default: server)',
    'alt-name NAME': 'DNS name or IP of this gateway (repeatable; default: localhost, 127.0.0.1, ::1, hostname)',
    'client ID': 'also issue a client certificate with CN=ID (repeatable)',
  },
  options: {
    config: { type: 'string' },
    'data-dir': { type: 'string' },
    dir: { type: 'string' },
    site: { type: 'string' },
    'server-name': { type: 'string' },
    'alt-name': { type: 'string', multiple: true },
    client: { type: 'string', multiple: true },
  },
  async run(args, io) {
    const v = args.values as Record<string, unknown>;
    const { config } = await loadConfig({
      path: v['config'] as string | undefined,
      env: io.env,
      overrides: { 'store.dataDir': v['data-dir'], 'security.certsDir': v['dir'] },
    });
    const given = v['alt-name'] as string[] | undefined;
    const altNames = given ?? ['localhost', '127.0.0.1', '::1', hostname()].filter((n) => altNameProblem(n) === null);
    const dir = certsDirOf(config);
    const r = await createSiteCertificates({
      dir,
      siteName: (v['site'] as string | undefined) ?? config.gateway.id,
      serverName: (v['server-name'] as string | undefined) ?? 'server',
      altNames,
      clients: (v['client'] as string[] | undefined) ?? [],
    });
    io.out(r.caCreated ? `created site CA in ${dir}` : `using the existing site CA in ${dir}`);
    for (const f of r.files) io.out(`wrote ${f}`);
    const keyFile = siteKeyFileOf(config);
    const k = await createSiteKey(keyFile);
    io.out(
      k.created ? `created cluster site key ${keyFile} (copy it to every gateway of the site)` : `kept ${keyFile}`,
    );
    return 0;
  },
};
