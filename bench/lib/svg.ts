/**
 * A hand-written SVG chart: panels of grouped bars with a y axis, ticks, an
 * optional target line and a legend. Enough for the README; no dependency.
 */
export interface Series {
  name: string;
  values: Array<number | null>;
}
export interface Panel {
  title: string;
  yLabel: string;
  groups: string[];
  series: Series[];
  target?: { value: number; label: string };
  log?: boolean;
}

const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1', '#edc948', '#9c755f'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v || 1));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function fmt(v: number): string {
  if (v >= 1e6) return `${Math.round(v / 1e5) / 10}M`;
  if (v >= 1e3) return `${Math.round(v / 100) / 10}k`;
  return String(Math.round(v * 10) / 10);
}

function panel(p: Panel, x0: number, y0: number, w: number, h: number): string {
  const out: string[] = [];
  const left = x0 + 60;
  const top = y0 + 30;
  const plotW = w - 80;
  const plotH = h - 95;
  const values = p.series.flatMap((s) => s.values).filter((v): v is number => v !== null && v > 0);
  if (p.target) values.push(p.target.value);
  const max = p.log ? 10 ** Math.ceil(Math.log10(Math.max(...values, 1))) : niceMax(Math.max(...values, 1));
  const min = p.log ? 10 ** Math.floor(Math.log10(Math.min(...values, max))) : 0;
  const y = (v: number) =>
    p.log
      ? top + plotH - ((Math.log10(Math.max(v, min)) - Math.log10(min)) / (Math.log10(max) - Math.log10(min) || 1)) * plotH
      : top + plotH - (v / max) * plotH;
  out.push(`<text x="${x0 + w / 2}" y="${y0 + 16}" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  out.push(
    `<text transform="translate(${x0 + 14},${top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="11">${esc(p.yLabel)}</text>`,
  );
  const ticks = p.log
    ? Array.from({ length: Math.round(Math.log10(max / min)) + 1 }, (_, i) => min * 10 ** i)
    : [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  for (const t of ticks) {
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 4}" y="${y(t) + 4}" text-anchor="end" font-size="10">${fmt(t)}</text>`);
  }
  out.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333"/><line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`,
  );
  const gw = plotW / Math.max(1, p.groups.length);
  const bw = Math.min(28, (gw * 0.8) / Math.max(1, p.series.length));
  p.groups.forEach((g, gi) => {
    const gx = left + gi * gw + (gw - bw * p.series.length) / 2;
    p.series.forEach((s, si) => {
      const v = s.values[gi];
      if (v === null || v === undefined) return;
      const by = y(v);
      out.push(
        `<rect x="${gx + si * bw}" y="${by}" width="${bw - 2}" height="${Math.max(0.5, top + plotH - by)}" fill="${COLORS[si % COLORS.length]}"><title>${esc(`${s.name}, ${g}: ${fmt(v)}`)}</title></rect>`,
      );
    });
    out.push(`<text x="${left + gi * gw + gw / 2}" y="${top + plotH + 14}" text-anchor="middle" font-size="11">${esc(g)}</text>`);
  });
  if (p.target) {
    const ty = y(p.target.value);
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${ty}" y2="${ty}" stroke="#c00" stroke-dasharray="6 4"/>`);
    out.push(`<text x="${left + plotW}" y="${ty - 4}" text-anchor="end" font-size="10" fill="#c00">${esc(p.target.label)}</text>`);
  }
  // Legend entries flow left to right and wrap, sized by their text (about 6 px per character at 10 px).
  let lx = left;
  let ly = top + plotH + 32;
  p.series.forEach((s, si) => {
    const width = 14 + s.name.length * 6 + 14;
    if (lx + width > left + plotW && lx > left) {
      lx = left;
      ly += 14;
    }
    out.push(
      `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${COLORS[si % COLORS.length]}"/><text x="${lx + 14}" y="${ly}" font-size="10">${esc(s.name)}</text>`,
    );
    lx += width;
  });
  return out.join('\n');
}

/** Panels laid out two per row. */
export function chart(title: string, subtitle: string, panels: Panel[]): string {
  const w = 520;
  const h = 330;
  const rows = Math.ceil(panels.length / 2);
  const width = 2 * w;
  const height = rows * h + 50;
  const body = panels.map((p, i) => panel(p, (i % 2) * w, 50 + Math.floor(i / 2) * h, w, h)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>
<text x="${width / 2}" y="40" text-anchor="middle" font-size="11" fill="#555">${esc(subtitle)}</text>
${body}
</svg>
`;
}
