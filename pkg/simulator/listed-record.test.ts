import { creatingRecord, updateNameAndDescription } from './listed-record';
import { SimState } from './state';

describe('creatingRecord', () => {
  it('takes name and description from the body, in creation order, as creating', () => {
    const state = new SimState();
    const first = creatingRecord(state, { name: 'a', description: 'about a', size: 1 });
    const second = creatingRecord(state, {});
    expect(first).toEqual({ seq: 1, id: expect.any(String), name: 'a', description: 'about a', status: 'creating' });
    expect(second).toEqual({ seq: 2, id: expect.any(String), name: null, description: null, status: 'creating' });
    expect(second.id).not.toBe(first.id);
  });
});

describe('updateNameAndDescription', () => {
  it('changes only what the body names, clearing a field given as null', () => {
    const record = creatingRecord(new SimState(), { name: 'a', description: 'about a' });
    updateNameAndDescription(record, { size: 2 });
    expect(record).toMatchObject({ name: 'a', description: 'about a' });
    updateNameAndDescription(record, { name: 'b' });
    expect(record).toMatchObject({ name: 'b', description: 'about a' });
    updateNameAndDescription(record, { description: null });
    expect(record).toMatchObject({ name: 'b', description: null });
  });
});
