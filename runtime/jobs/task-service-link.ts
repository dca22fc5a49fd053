// How the jobs component finds the scheduler's task service of the same gateway (runtime/util/context-link.ts).
import type { TaskService } from '../scheduler/task-api.js';
import { contextLink } from '../util/context-link.js';

const link = contextLink<TaskService>();
export const provideTaskService = link.provide;
export const taskServiceOf = link.of;
