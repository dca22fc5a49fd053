// Hand-written SVG line chart: mean slowdown (log scale) against offered load, one line per policy, with the 95%
// bootstrap interval as a vertical bar at each point.

export interface Series {
  name: string;
  points: { x: number; y: number; low: number; high: number }[];
}

const COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

export function slowdownChartSvg(title: string, series: readonly Series[]): string {
  const W = 760;
  const H = 460;
  const m = { left: 70, right: 170, top: 40, bottom: 55 };
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.flatMap((p) => [p.low, p.high, p.y])).filter((y) => y > 0);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yMin = Math.max(1, Math.min(...ys)) * 0.9;
  const yMax = Math.max(...ys) * 1.1;
  const r1 = (v: number) => Math.round(v * 10) / 10;
  const lx = (x: number) => r1(m.left + ((x - xMin) / Math.max(1e-9, xMax - xMin)) * (W - m.left - m.right));
  const ly = (y: number) =>
    r1(H - m.bottom - ((Math.log(y) - Math.log(yMin)) / (Math.log(yMax) - Math.log(yMin))) * (H - m.top - m.bottom));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - 60}" y="22" font-size="15">${escapeXml(title)}</text>`,
    `<line x1="${m.left}" y1="${H - m.bottom}" x2="${W - m.right}" y2="${H - m.bottom}" stroke="black"/>`,
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${H - m.bottom}" stroke="black"/>`,
    `<text x="${(m.left + W - m.right) / 2 - 40}" y="${H - 15}">offered load</text>`,
    `<text x="18" y="${(m.top + H - m.bottom) / 2 + 40}" transform="rotate(-90 18 ${(m.top + H - m.bottom) / 2 + 40})">mean slowdown (log)</text>`,
  ];
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    out.push(`<text x="${lx(x) - 10}" y="${H - m.bottom + 18}">${x}</text>`);
  }
  for (const y of logTicks(yMin, yMax)) {
    out.push(`<line x1="${m.left - 4}" y1="${ly(y)}" x2="${W - m.right}" y2="${ly(y)}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 40}" y="${ly(y) + 4}">${y}</text>`);
  }
  series.forEach((s, k) => {
    const c = COLORS[k % COLORS.length]!;
    const pts = s.points.map((p) => `${lx(p.x)},${ly(p.y)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts}"/>`);
    for (const p of s.points) {
      out.push(`<line x1="${lx(p.x)}" y1="${ly(p.low)}" x2="${lx(p.x)}" y2="${ly(p.high)}" stroke="${c}"/>`);
      out.push(`<circle cx="${lx(p.x)}" cy="${ly(p.y)}" r="3" fill="${c}"/>`);
    }
    const y = m.top + 18 * k;
    out.push(
      `<line x1="${W - m.right + 15}" y1="${y}" x2="${W - m.right + 40}" y2="${y}" stroke="${c}" stroke-width="3"/>`,
    );
    out.push(`<text x="${W - m.right + 46}" y="${y + 4}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const k of [1, 2, 5]) {
      const t = k * 10 ** e;
      if (t >= lo && t <= hi) ticks.push(t);
    }
  }
  return ticks;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
