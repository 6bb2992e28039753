import { newestFirst, queryFilter } from './service-route';

interface Row {
  seq: number;
  id: string;
  name: string | null;
  volumeId: string;
}

const rows: Row[] = [
  { seq: 1, id: 'a', name: 'x', volumeId: 'v1' },
  { seq: 2, id: 'b', name: null, volumeId: 'v1' },
  { seq: 3, id: 'c', name: 'x', volumeId: 'v2' },
];

describe('queryFilter', () => {
  const ids = (query: string) => rows.filter(queryFilter<Row>(new URLSearchParams(query), { name: 'name', volume_id: 'volumeId' })).map((r) => r.id);

  it('keeps everything when the query names none of the parameters', () => {
    expect(ids('status=available')).toEqual(['a', 'b', 'c']);
  });

  it('keeps only the records whose fields equal every given parameter', () => {
    expect(ids('name=x')).toEqual(['a', 'c']);
    expect(ids('name=x&volume_id=v1')).toEqual(['a']);
    expect(ids('volume_id=v3')).toEqual([]);
  });

  it('matches an empty parameter only against an empty value, never a null field', () => {
    expect(ids('name=')).toEqual([]);
  });
});

describe('newestFirst', () => {
  it('orders by creation, newest first, without changing its input', () => {
    expect(newestFirst(rows).map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(rows.map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });
});
