// Publishes an error message about a refused message (schema: messages.error in schemas/index.ts).
import type { Bus } from './bus.js';
import type { ErrorBody, ErrorMessage } from './schemas/api-messages.js';

/** error messages are best effort: a failure to publish one is not worth more than a debug line */
export function publishError(
  bus: Bus,
  errorTopic: string,
  topic: string,
  gatewayId: string,
  error: ErrorBody,
  requestId?: string,
): void {
  const message: ErrorMessage = {
    error,
    topic,
    gatewayId,
    tsMs: Date.now(),
    ...(requestId !== undefined ? { requestId } : {}),
  };
  bus.publish(errorTopic, JSON.stringify(message)).catch(() => undefined);
}
