import { defineSection } from '../section.js';

export interface SchedulerConfig {
  /** "rl" (the shipped learned model) or a heuristic name from runtime/scheduler/policies/registry.ts */
  policy: string;
  /** ONNX model file; empty = models/shipped/scheduler.onnx of this installation */
  modelPath: string;
  /** heuristic used when the model is missing, corrupt or built for other features */
  fallback: string;
}

export const schedulerSection = defineSection<SchedulerConfig>(
  'scheduler',
  'task placement policy: the learned model (rl) with a heuristic fallback',
  {
    properties: {
      policy: { type: 'string', minLength: 1, default: 'rl', description: 'rl or a heuristic name' },
      modelPath: { type: 'string', default: '', description: 'ONNX model file; empty = the shipped model' },
      fallback: {
        type: 'string',
        minLength: 1,
        default: 'hungarian',
        description: 'heuristic used when the model is refused',
      },
    },
  },
);
