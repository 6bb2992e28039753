import { NotFoundError, UnavailableError } from './errors';
import { findByIdOrName } from './find-by-id-or-name';

const ID = '0b4e6e2c-1a11-4c7e-9f7d-3a0c2f1f9d10';
const types = [{ id: ID, name: 'fast' }];
const notFound = () => new NotFoundError('type not found', { service: 'volume' });

describe('findByIdOrName', () => {
  it('reads a UUID directly and never lists', async () => {
    const list = jest.fn(async () => types);
    await expect(findByIdOrName(ID, { getById: async () => types[0], list, notFound })).resolves.toEqual(types[0]);
    expect(list).not.toHaveBeenCalled();
  });

  it('looks a name up in the list without a direct read', async () => {
    const getById = jest.fn(async () => types[0]);
    await expect(findByIdOrName('fast', { getById, list: async () => types, notFound })).resolves.toEqual(types[0]);
    expect(getById).not.toHaveBeenCalled();
  });

  it('falls back to the list when the direct read finds nothing (a name shaped like a UUID)', async () => {
    const named = { id: 'other', name: ID };
    const getById = async () => {
      throw notFound();
    };
    await expect(findByIdOrName(ID, { getById, list: async () => [named], notFound })).resolves.toEqual(named);
  });

  it('passes on failures other than not-found', async () => {
    const getById = async () => {
      throw new UnavailableError('down', { service: 'volume' });
    };
    await expect(findByIdOrName(ID, { getById, list: async () => types, notFound })).rejects.toBeInstanceOf(
      UnavailableError,
    );
  });

  it('throws the caller-made error when nothing matches', async () => {
    await expect(findByIdOrName('slow', { getById: async () => types[0], list: async () => types, notFound })).rejects.toThrow(
      'type not found',
    );
  });
});
