/** Looking up a resource (a volume or share type) that the user may name by ID or by name. */
import { NotFoundError } from './errors';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export interface IdOrNameLookup<T> {
  /** Direct read by ID; tried first when the value looks like a UUID. */
  getById: (id: string) => Promise<T>;
  /** Every candidate, searched by name (or ID) when the direct read is skipped or finds nothing. */
  list: () => Promise<T[]>;
  /** The error for a value neither read finds. */
  notFound: () => NotFoundError;
}

export async function findByIdOrName<T extends { id: string; name?: string }>(
  idOrName: string,
  lookup: IdOrNameLookup<T>,
): Promise<T> {
  if (UUID.test(idOrName)) {
    try {
      return await lookup.getById(idOrName);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  const match = (await lookup.list()).find((item) => item.name === idOrName || item.id === idOrName);
  if (!match) throw lookup.notFound();
  return match;
}
