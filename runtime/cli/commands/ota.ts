// agentos ota AGENT IMAGE: queue a firmware image for a serial agent on a running gateway and follow its progress
// until the device verified the CRC-32. The image path is read by the gateway process, so it runs on the gateway host.
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OtaJobRecord } from '../../drivers/ota-jobs.js';
import { apiHelp, apiOptions, withApi } from '../api-options.js';
import { type CliCommand, intOption, UsageError } from '../command.js';

const POLL_MS = 250;

function line(j: OtaJobRecord): string {
  const pct = j.totalBytes > 0 ? Math.floor((j.sentBytes / j.totalBytes) * 100) : 0;
  const resumed = j.resumedFromBytes > 0 ? `, resumed from ${j.resumedFromBytes}` : '';
  return `ota ${j.agentId}: ${j.state} ${j.sentBytes}/${j.totalBytes} bytes (${pct}%), attempt ${j.attempt}${resumed}`;
}

export const otaCommand: CliCommand = {
  name: 'ota',
  summary: 'Update the firmware of a serial agent: chunked, resumable, verified by CRC-32, with progress.',
  usage: 'AGENT IMAGE [--version V] [--detach] [--wait-ms MS] [--url URL]',
  help: {
    ...apiHelp,
    'version V': 'image version announced to the device',
    detach: 'print the job and return without waiting',
    'wait-ms MS': 'give up following the job after this long (default 600000)',
  },
  options: { ...apiOptions, version: { type: 'string' }, detach: { type: 'boolean' }, 'wait-ms': { type: 'string' } },
  async run(args, io) {
    const [agentId, image, ...extra] = args.positionals;
    if (!agentId || !image) throw new UsageError('ota needs an agent id and an image file');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const waitMs = intOption(args.values, 'wait-ms') ?? 600_000;
    const version = (args.values['version'] as string | undefined) ?? '';
    return withApi(args, io.env, async (api) => {
      const { job } = await api.call<{ job: OtaJobRecord }>('ota.start', {
        agentId,
        imagePath: resolve(image),
        version,
      });
      if (args.values['detach']) {
        io.out(args.values['json'] ? JSON.stringify(job) : `ota job ${job.jobId} queued for ${agentId}`);
        return 0;
      }
      const deadline = Date.now() + waitMs;
      // the state the job was queued in comes first: a small image may be done before the first poll
      let last = line(job);
      if (!args.values['json']) io.out(last);
      for (;;) {
        const { job: j } = await api.call<{ job: OtaJobRecord }>('ota.status', { jobId: job.jobId });
        const text = line(j);
        if (text !== last && !args.values['json']) io.out(text);
        last = text;
        if (j.state === 'done') {
          if (args.values['json']) io.out(JSON.stringify(j));
          else
            io.out(
              `ota ${agentId}: verified ${j.totalBytes} bytes, crc32 0x${(j.crc32 ?? 0).toString(16).padStart(8, '0')}`,
            );
          return 0;
        }
        if (j.state === 'failed') throw new Error(`ota ${agentId} failed: ${j.error ?? 'unknown error'}`);
        if (Date.now() > deadline)
          throw new Error(`ota ${agentId}: still ${j.state} after ${waitMs} ms (job ${j.jobId})`);
        await sleep(POLL_MS);
      }
    });
  },
};
