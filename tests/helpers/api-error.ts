import { ApiCallError } from '../../runtime/bus/api-client.js';
import type { ErrorBody } from '../../runtime/bus/schemas/api-messages.js';

/** the error body of an API call that must fail; throws if it succeeds or fails some other way */
export async function errorBody(call: Promise<unknown>): Promise<ErrorBody> {
  try {
    await call;
  } catch (err) {
    if (err instanceof ApiCallError) return err.body;
    throw err;
  }
  throw new Error('the API call succeeded; an error reply was expected');
}
