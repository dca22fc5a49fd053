import { defineSection, intSetting } from '../section.js';

export interface JobsConfig {
  /** steps in one job; a bigger job is refused naming params.steps */
  stepsPerJobMax: number;
  /** jobs running at once; a submit beyond it is refused with limit_reached */
  runningJobsMax: number;
  /** finished jobs (with their results) kept for jobs.get/list; the oldest are dropped beyond it */
  finishedJobsMax: number;
  /** tasks of one job waiting or running at once; further ready steps wait their turn */
  stepsInFlightMax: number;
  /** a step's input as given, and as handed to its task with its dependencies' results, JSON bytes */
  stepInputBytesMax: number;
  /** one step's result kept by the job, JSON bytes; a larger result fails the step */
  stepResultBytesMax: number;
  /** all kept step results of one job together, JSON bytes; a result past it fails its step */
  jobResultBytesMax: number;
  /** how often running steps are checked against their tasks (besides the task state messages) */
  reconcileIntervalMs: number;
}

export const jobsSection = defineSection<JobsConfig>(
  'jobs',
  'jobs: DAGs of steps run as scheduler tasks, their results aggregated (runtime/jobs)',
  {
    properties: {
      stepsPerJobMax: intSetting(1, 4096, 256, 'steps in one job'),
      runningJobsMax: intSetting(1, 100000, 100, 'jobs running at once; more are refused with limit_reached'),
      finishedJobsMax: intSetting(0, 100000, 200, 'finished jobs kept with their results; the oldest dropped'),
      stepsInFlightMax: intSetting(1, 4096, 16, 'tasks of one job waiting or running at once'),
      stepInputBytesMax: intSetting(16, 16777216, 65536, "a step's task input (with its dependencies' results), bytes"),
      stepResultBytesMax: intSetting(16, 16777216, 65536, "one step's result kept by the job, bytes; larger fails it"),
      jobResultBytesMax: intSetting(16, 67108864, 262144, 'all kept step results of one job, bytes'),
      reconcileIntervalMs: intSetting(50, 600000, 1000, 'running steps checked against their tasks this often, ms'),
    },
  },
);
