// The CLI's commands. A new command: one file in this folder and one line here.
import type { CliCommand } from '../command.js';
import { agentsCommand } from './agents.js';
import { certsCommand } from './certs.js';
import { clusterCommand } from './cluster.js';
import { credentialsCommand } from './credentials.js';
import { jobsCommand } from './jobs.js';
import { modelCommand } from './model.js';
import { otaCommand } from './ota.js';
import { serviceCommand } from './service.js';
import { startCommand } from './start.js';
import { statusCommand } from './status.js';
import { tasksCommand } from './tasks.js';

export const commands: readonly CliCommand[] = [
  startCommand,
  agentsCommand,
  statusCommand,
  modelCommand,
  credentialsCommand,
  certsCommand,
  otaCommand,
  tasksCommand,
  jobsCommand,
  clusterCommand,
  serviceCommand,
];
