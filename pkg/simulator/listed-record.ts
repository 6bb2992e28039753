/** The head every listed Cinder and Manila record shares, as create and update calls fill it from a request body. */
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

/** An update sets `name` and `description` only when the body names them (to null when given as null). */
export function updateNameAndDescription(record: ListedRecord, body: Record<string, unknown>): void {
  if ('name' in body) record.name = optionalString(body, 'name') ?? null;
  if ('description' in body) record.description = optionalString(body, 'description') ?? null;
}
