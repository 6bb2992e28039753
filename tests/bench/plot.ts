/**
 * Draws docs/benchmarks-overhead.svg from `npm run bench -- --json FILE`: detection overhead per operation
 * (% of the cloud's own transition time) for each wait setting of the latency bench. Plain SVG, no
 * external service: `node --import tsx tests/bench/plot.ts FILE [OUT.svg]`.
 */
import * as fs from 'node:fs';

interface OperationFigures {
  cloudMs: number;
  overheadMs: number;
}

interface LatencySetting {
  setting: string;
  operations: Record<string, OperationFigures>;
}

const COLOURS = ['#c0392b', '#7f8c8d', '#2471a3', '#27ae60'];
/** Rows the plugin itself waits for (CreateSnapshot is paced by the snapshotter). */
const SKIPPED = /CreateSnapshot/;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function overheadSvg(settings: readonly LatencySetting[], title: string): string {
  const operations = Object.keys(settings[0]?.operations ?? {}).filter((name) => !SKIPPED.test(name));
  const share = (setting: LatencySetting, operation: string) => {
    const figures = setting.operations[operation];
    return figures && figures.cloudMs > 0 ? (100 * figures.overheadMs) / figures.cloudMs : 0;
  };
  const top = Math.max(10, ...settings.flatMap((setting) => operations.map((operation) => share(setting, operation))));
  const scaleTop = Math.ceil(top / 20) * 20;
  const width = 760;
  const height = 380;
  const plot = { left: 60, right: 20, top: 50, bottom: 90 };
  const plotWidth = width - plot.left - plot.right;
  const plotHeight = height - plot.top - plot.bottom;
  const group = plotWidth / Math.max(1, operations.length);
  const bar = (group * 0.8) / Math.max(1, settings.length);
  const y = (value: number) => plot.top + plotHeight - (value / scaleTop) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14">${escape(title)}</text>`,
  ];
  for (let tick = 0; tick <= scaleTop; tick += 20) {
    parts.push(`<line x1="${plot.left}" x2="${width - plot.right}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`);
    parts.push(`<text x="${plot.left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick}%</text>`);
  }
  parts.push(`<line x1="${plot.left}" x2="${width - plot.right}" y1="${y(10)}" y2="${y(10)}" stroke="#27ae60" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${width - plot.right}" y="${y(10) - 4}" text-anchor="end" fill="#27ae60">10% target</text>`);
  operations.forEach((operation, index) => {
    const x0 = plot.left + index * group + group * 0.1;
    settings.forEach((setting, settingIndex) => {
      const value = share(setting, operation);
      const x = x0 + settingIndex * bar;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${(bar - 2).toFixed(1)}" height="${(plot.top + plotHeight - y(value)).toFixed(1)}" fill="${COLOURS[settingIndex % COLOURS.length]}"><title>${escape(`${setting.setting}, ${operation}: ${value.toFixed(1)}%`)}</title></rect>`,
      );
    });
    parts.push(`<text x="${(x0 + group * 0.4).toFixed(1)}" y="${plot.top + plotHeight + 16}" text-anchor="middle">${escape(operation)}</text>`);
  });
  settings.forEach((setting, index) => {
    const x = plot.left + index * 180;
    const legendY = height - 30;
    parts.push(`<rect x="${x}" y="${legendY - 10}" width="12" height="12" fill="${COLOURS[index % COLOURS.length]}"/>`);
    parts.push(`<text x="${x + 18}" y="${legendY}">${escape(setting.setting)}</text>`);
  });
  parts.push(`<text x="16" y="${plot.top + plotHeight / 2}" transform="rotate(-90 16 ${plot.top + plotHeight / 2})" text-anchor="middle">detection overhead, % of the cloud's transition time</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

if (require.main === module) {
  const [input, output = 'docs/benchmarks-overhead.svg'] = process.argv.slice(2);
  if (!input) throw new Error('usage: plot.ts FIGURES.json [OUT.svg]');
  const document = JSON.parse(fs.readFileSync(input, 'utf8')) as { header: string; figures: { latency?: LatencySetting[] } };
  if (!document.figures.latency) throw new Error(`${input} has no latency figures (run the latency bench)`);
  fs.writeFileSync(output, overheadSvg(document.figures.latency, 'Detection overhead per operation: CPO schedules vs ours'));
  console.log(`wrote ${output}`);
}
