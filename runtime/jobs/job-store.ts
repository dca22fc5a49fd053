// The gateway's jobs in the core store (namespace "jobs", written in batches with the rest of the state, so a job and
// the tasks of its steps reach the disk in the same write). Finished jobs stay with their results until
// `finishedJobsMax` newer ones finished. Nothing here publishes; job-runner.ts drives it.
import type { Store } from '../store/store.js';
import { isJobFinal, type JobRecord } from './job-record.js';

interface JobsDocument {
  seq: number;
  jobs: Record<string, JobRecord>;
}

const NAMESPACE = 'jobs';

export class JobStore {
  #doc: JobsDocument | undefined;
  /** ids of finished jobs, oldest first */
  #finished: string[] = [];

  constructor(
    private readonly store: Store,
    private readonly finishedJobsMax: number,
  ) {}

  load(): void {
    if (this.#doc) return;
    this.#doc = this.store.namespace<JobsDocument>(NAMESPACE, () => ({ seq: 0, jobs: {} }));
    this.#finished = Object.values(this.#doc.jobs)
      .filter((j) => isJobFinal(j.state))
      .sort((a, b) => (a.finishedAtMs ?? 0) - (b.finishedAtMs ?? 0))
      .map((j) => j.id);
  }

  unload(): void {
    this.#doc = undefined;
    this.#finished = [];
  }

  get loaded(): boolean {
    return this.#doc !== undefined;
  }

  #jobs(): Record<string, JobRecord> {
    if (!this.#doc) throw new Error('job store not loaded');
    return this.#doc.jobs;
  }

  get(jobId: string): JobRecord | undefined {
    const jobs = this.#jobs();
    return Object.hasOwn(jobs, jobId) ? jobs[jobId] : undefined;
  }

  all(): JobRecord[] {
    return Object.values(this.#jobs());
  }

  running(): JobRecord[] {
    return this.all().filter((j) => !isJobFinal(j.state));
  }

  get runningCount(): number {
    return Object.keys(this.#jobs()).length - this.#finished.length;
  }

  get finishedCount(): number {
    return this.#finished.length;
  }

  nextSeq(): number {
    if (!this.#doc) throw new Error('job store not loaded');
    this.#doc.seq += 1;
    return this.#doc.seq;
  }

  add(job: JobRecord): void {
    const jobs = this.#jobs();
    if (Object.hasOwn(jobs, job.id)) throw new Error(`job ${job.id} already exists`);
    jobs[job.id] = job;
    this.changed();
  }

  /** the job just finished: returns the ids of finished jobs dropped to stay within finishedJobsMax */
  finished(job: JobRecord): string[] {
    this.#finished.push(job.id);
    const jobs = this.#jobs();
    const dropped: string[] = [];
    while (this.#finished.length > this.finishedJobsMax) {
      const id = this.#finished.shift() as string;
      delete jobs[id];
      dropped.push(id);
    }
    this.changed();
    return dropped;
  }

  changed(): void {
    this.store.markDirty();
  }

  flush(): Promise<void> {
    return this.store.flush();
  }
}
