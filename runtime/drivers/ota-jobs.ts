// OTA jobs of the gateway: `ota.start` reads an image file and queues it for a serial or BLE agent, `ota.status` reports
// progress. Records are bounded (`jobsMax`); the oldest finished ones are dropped first.
import { readFile, stat } from 'node:fs/promises';
import type { OtaJob, OtaProgress, OtaResult } from '../../drivers/serial/index.js';
import { ApiError, type ApiRouter } from '../bus/api-router.js';

export interface OtaJobRecord {
  jobId: string;
  agentId: string;
  imagePath: string;
  version: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  totalBytes: number;
  sentBytes: number;
  resumedFromBytes: number;
  attempt: number;
  crc32: number | null;
  error: string | null;
}

export interface OtaJobsOptions {
  enqueue: (job: OtaJob) => Promise<OtaResult>;
  owns: (agentId: string) => boolean;
  imageBytesMax: number;
  jobsMax?: number | undefined;
}

export class OtaJobs {
  private readonly jobs = new Map<string, OtaJobRecord>();
  private seq = 0;
  private readonly jobsMax: number;

  constructor(private readonly o: OtaJobsOptions) {
    this.jobsMax = o.jobsMax ?? 256;
  }

  progress(p: OtaProgress & { attempt: number }): void {
    for (const j of this.jobs.values()) {
      if (j.agentId !== p.agentId || (j.state !== 'running' && j.state !== 'queued')) continue;
      j.state = 'running';
      j.sentBytes = p.sentBytes;
      j.resumedFromBytes = p.resumedFromBytes;
      j.attempt = p.attempt;
    }
  }

  async start(agentId: string, imagePath: string, version: string): Promise<OtaJobRecord> {
    if (!this.o.owns(agentId))
      throw new ApiError('not_found', `agent ${agentId} is not a serial or BLE agent`, 'agentId');
    const info = await stat(imagePath).catch(() => null);
    if (!info?.isFile()) throw new ApiError('not_found', `image ${imagePath} is not a readable file`, 'imagePath');
    if (info.size === 0 || info.size > this.o.imageBytesMax) {
      throw new ApiError('too_large', `image is ${info.size} bytes; allowed 1..${this.o.imageBytesMax}`, 'imagePath');
    }
    const image = await readFile(imagePath);
    const job: OtaJobRecord = {
      jobId: `ota-${Date.now().toString(36)}-${++this.seq}`,
      agentId,
      imagePath,
      version,
      state: 'queued',
      totalBytes: image.length,
      sentBytes: 0,
      resumedFromBytes: 0,
      attempt: 0,
      crc32: null,
      error: null,
    };
    const pending = this.o.enqueue({ agentId, image, version });
    this.evict();
    this.jobs.set(job.jobId, job);
    pending.then(
      (r) => {
        job.state = 'done';
        job.sentBytes = r.bytes;
        job.crc32 = r.crc32;
      },
      (err: Error) => {
        job.state = 'failed';
        job.error = err.message;
      },
    );
    return { ...job };
  }

  status(jobId: string): OtaJobRecord {
    const j = this.jobs.get(jobId);
    if (!j) throw new ApiError('not_found', `no OTA job ${jobId}`, 'jobId');
    return { ...j };
  }

  register(api: ApiRouter): Array<() => void> {
    return [
      api.register<{ agentId: string; imagePath: string; version?: string }>('ota.start', {
        summary: 'queue a firmware image (a file on the gateway host) for a serial or BLE agent; returns the job',
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['agentId', 'imagePath'],
          properties: {
            agentId: { type: 'string', minLength: 1, maxLength: 64 },
            imagePath: { type: 'string', minLength: 1, maxLength: 4096 },
            version: { type: 'string', maxLength: 23 },
          },
        },
        handler: async (p) => ({ job: await this.start(p.agentId, p.imagePath, p.version ?? '') }),
      }),
      api.register<{ jobId: string }>('ota.status', {
        summary: 'progress of an OTA job: state, bytes sent, resume point, attempt, error',
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['jobId'],
          properties: { jobId: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        handler: (p) => ({ job: this.status(p.jobId) }),
      }),
    ];
  }

  private evict(): void {
    while (this.jobs.size >= this.jobsMax) {
      const finished = [...this.jobs.values()].find((j) => j.state === 'done' || j.state === 'failed');
      if (!finished)
        throw new ApiError('limit_reached', `${this.jobs.size} OTA jobs in progress (jobsMax ${this.jobsMax})`);
      this.jobs.delete(finished.jobId);
    }
  }
}
