import { mean, mebibytes, printTable, ratio, seconds } from './report';

describe('bench report formatting', () => {
  it('formats ratios against a baseline, including an empty baseline', () => {
    expect(ratio(50, 200)).toBe('0.25x');
    expect(ratio(300, 200)).toBe('1.50x');
    expect(ratio(0, 0)).toBe('1.00x');
    expect(ratio(3, 0)).toBe('-');
  });

  it('formats seconds, mebibytes and means', () => {
    expect(seconds(1234)).toBe('1.23');
    expect(mebibytes(3 * 1024 * 1024)).toBe('3.0');
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBe(0);
  });

  it('pads columns to the widest cell, numbers to the right', () => {
    const lines: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      printTable('title', ['name', 'n'], [['a', 5], ['longer', 123]]);
    } finally {
      spy.mockRestore();
    }
    expect(lines).toEqual(['\ntitle', 'name    n', '------  ---', 'a         5', 'longer  123']);
  });
});
