// agentos start: runs a gateway in the foreground until SIGINT or SIGTERM, then stops it cleanly (store flushed).
import { loadConfig } from '../../config/load.js';
import { Gateway } from '../../gateway.js';
import { type CliCommand, intOption } from '../command.js';
import { processMemory, tuneGatewayProcess } from '../gateway-process.js';

export const startCommand: CliCommand = {
  name: 'start',
  summary: 'Start a gateway in the foreground (embedded MQTT broker unless broker.url is set). Stop with Ctrl-C.',
  usage: '[--config FILE] [options]',
  help: {
    'config FILE': 'YAML or JSON config file (default: $AGENTOS_CONFIG, else built-in defaults)',
    'id ID': 'gateway id (gateway.id)',
    'port N': 'MQTT TCP port (broker.port; 0 = any free port)',
    'ws-port N': 'MQTT WebSocket port (broker.wsPort; 0 = any free port)',
    'no-ws': 'no WebSocket listener',
    'broker-url URL': 'use this external broker instead of the embedded one (broker.url)',
    'data-dir DIR': 'state directory (store.dataDir)',
    'log-level LEVEL': 'log level (log.level)',
    dev: 'development mode: anonymous clients may connect and do anything (security.devMode)',
  },
  options: {
    config: { type: 'string' },
    id: { type: 'string' },
    port: { type: 'string' },
    'ws-port': { type: 'string' },
    'no-ws': { type: 'boolean' },
    'broker-url': { type: 'string' },
    'data-dir': { type: 'string' },
    'log-level': { type: 'string' },
    dev: { type: 'boolean' },
  },
  async run(args, io) {
    const v = args.values;
    const { config } = await loadConfig({
      path: v['config'] as string | undefined,
      env: io.env,
      overrides: {
        'gateway.id': v['id'],
        'broker.port': intOption(v, 'port'),
        'broker.wsPort': v['no-ws'] ? null : intOption(v, 'ws-port'),
        'broker.url': v['broker-url'],
        'store.dataDir': v['data-dir'],
        'log.level': v['log-level'],
        'security.devMode': v['dev'] ? true : undefined,
      },
    });
    const tuning = tuneGatewayProcess();
    const gateway = new Gateway(config);
    gateway.context.health.add('process', processMemory);
    if (tuning.missing.length === 0) gateway.context.logger.info({ ...tuning }, 'process settings');
    else {
      // about 30 MB more RSS with 1000 agents (bench ingest --only rss); `npm start` and the agentos bin pass them
      gateway.context.logger.warn(
        { ...tuning },
        `process settings: started without ${tuning.missing.join(' ')}; memory use will be higher (start with npm start or the agentos bin)`,
      );
    }
    await gateway.start();
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    process.removeAllListeners('SIGINT').removeAllListeners('SIGTERM');
    // a second signal while stopping means "now": skip the clean stop (the store may lose its last batch)
    const force = (again: NodeJS.Signals) => {
      gateway.context.logger.warn({ signal: again }, 'second signal while stopping; exiting without a clean stop');
      process.exit(1);
    };
    process.once('SIGINT', force).once('SIGTERM', force);
    gateway.context.logger.info({ signal }, 'stopping');
    await gateway.stop();
    process.off('SIGINT', force).off('SIGTERM', force);
    return 0;
  },
};
