import { overheadSvg } from './plot';

describe('overhead plot', () => {
  it('draws one bar per setting and plugin-waited operation with its share of the cloud time', () => {
    const svg = overheadSvg(
      [
        { setting: 'CPO (0)', operations: { CreateVolume: { cloudMs: 2000, overheadMs: 500 }, 'CreateSnapshot (until ready)': { cloudMs: 1, overheadMs: 1 } } },
        { setting: 'learned', operations: { CreateVolume: { cloudMs: 2000, overheadMs: 150 }, 'CreateSnapshot (until ready)': { cloudMs: 1, overheadMs: 1 } } },
      ],
      'title <&>',
    );
    expect(svg).toContain('<title>CPO (0), CreateVolume: 25.0%</title>');
    expect(svg).toContain('<title>learned, CreateVolume: 7.5%</title>');
    expect(svg).not.toContain('CreateSnapshot');
    expect(svg).toContain('title &lt;&amp;&gt;');
  });
});
