// The gateway API methods of the learned scheduler's model: model.retrain (fine-tune the running model on the site's
// trace in a worker process; swap only when it wins on held-out windows) and model.status (what runs, where it came
// from, the last retrain). model.status only reads (viewers may call it, runtime/security/acl-rules.ts); model.retrain
// changes the running policy and is left to administrators, like ota.start.
import type { ApiRouter } from '../bus/api-router.js';
import type { RetrainParams, SiteLearning } from './site-learning.js';

export function registerModelMethods(api: ApiRouter, learning: SiteLearning): Array<() => void> {
  return [
    api.register<RetrainParams>('model.retrain', {
      summary:
        'fine-tune the running model on the site trace in a worker process; it replaces the running model only ' +
        'when its mean slowdown on the held-out windows is lower. Answers when done: accepted, swapped, both ' +
        'scores, windows, episodes, model path and version (limit_reached while another retrain runs)',
      params: {
        type: 'object',
        additionalProperties: false,
        properties: {
          episodes: {
            type: 'integer',
            minimum: 0,
            maximum: 100000,
            description: 'default scheduler.siteLearning.episodes',
          },
          minutes: {
            type: 'number',
            exclusiveMinimum: 0,
            maximum: 1440,
            description: 'training wall-time budget; default scheduler.siteLearning.minutes',
          },
        },
      },
      handler: (p) => learning.retrain(p, 'api'),
    }),
    api.register<Record<string, never>>('model.status', {
      summary:
        'the running policy, its model (path, version, source shipped/site/heuristic), swaps, the retrain in ' +
        'progress and the last one, and the site trace being recorded',
      params: { type: 'object', additionalProperties: false, properties: {} },
      handler: () => learning.status(),
    }),
  ];
}
