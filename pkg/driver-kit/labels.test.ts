import { labelKeyProblem, labelValueProblem } from './labels';

describe('label keys', () => {
  it.each(['rack', 'topology.kubernetes.io/region', 'example.com/Rack_1', 'a', `${'n'.repeat(63)}`])('accepts %p', (key) => {
    expect(labelKeyProblem(key)).toBeUndefined();
  });
  it.each([
    ['', /name "" must be/],
    ['bad key', /name "bad key" must be/],
    ['-rack', /name "-rack" must be/],
    [`${'n'.repeat(64)}`, /must be 1-63/],
    ['Example.com/rack', /prefix "Example.com" is not a DNS subdomain/],
    ['/rack', /prefix "" is not a DNS subdomain/],
    ['a/b/c', /prefix "a\/b" is not a DNS subdomain/],
  ])('rejects %p', (key, problem) => {
    expect(labelKeyProblem(key)).toMatch(problem);
  });
});

describe('label values', () => {
  it.each(['', 'r1', 'RegionOne', 'a.b_c-d', 'v'.repeat(63)])('accepts %p', (value) => {
    expect(labelValueProblem(value)).toBeUndefined();
  });
  it.each(['bad value!', '-r1', 'r1.', 'v'.repeat(64)])('rejects %p', (value) => {
    expect(labelValueProblem(value)).toMatch(/must be at most 63/);
  });
});
