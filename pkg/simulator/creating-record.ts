/** The part every create call of Cinder and Manila fills in the same way. */
import { optionalString } from './http-kit';
import { newId, type ListedRecord, type SimState } from './state';

/** Next creation order, a new ID, the request body's `name` and `description` (null when left out), `creating`. */
export function creatingRecord(state: SimState, body: Record<string, unknown>): ListedRecord {
  return {
    seq: state.nextSeq(),
    id: newId(),
    name: optionalString(body, 'name') ?? null,
    description: optionalString(body, 'description') ?? null,
    status: 'creating',
  };
}
