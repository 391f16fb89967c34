'use strict';
// A small SVG writer for the ratio chart: one group of horizontal bars per scenario metric,
// one bar per server, a dashed line at 1.0 (= raw ws measured in the same run).

const COLORS = {
  raw: '#7f7f7f',
  'raw-control': '#b5b5b5',
  'raw-corked': '#8c6d31',
  'raw-preframed': '#bd9e39',
  socketio: '#3182bd',
  nest: '#e6550d',
  wse: '#31a354',
  'wse-textmessage': '#006d2c',
  'wse-nocoalesce': '#a1d99b',
  'wse-pipeline': '#74c476',
  'wse-traced': '#c7e9c0',
  uws: '#6a51a3',
};

function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function el(name, attrs, body) {
  const a = Object.entries(attrs)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(' ');
  return body === undefined ? `<${name} ${a}/>` : `<${name} ${a}>${body}</${name}>`;
}

/**
 * @param {{label: string, note?: string, bars: {id: string, label: string, value: number|null, text?: string}[]}[]} groups
 */
function ratioChart(groups, { title, subtitle, labels }) {
  const width = 860;
  const left = 200;
  const right = 70;
  const barH = 13;
  const gap = 3;
  const groupGap = 16;
  const top = 64;
  const maxValue = Math.max(1.5, ...groups.flatMap((g) => g.bars.map((b) => b.value || 0)));
  const scaleMax = Math.min(maxValue, 8) * 1.05;
  const plotW = width - left - right;
  const x = (v) => left + (Math.min(v, scaleMax) / scaleMax) * plotW;
  const parts = [];
  let y = top;
  for (const g of groups) {
    parts.push(
      el('text', { x: 10, y: y + 11, 'font-size': 12 }, `<tspan font-weight="bold">${esc(g.label)}</tspan>` +
        (g.note ? `<tspan fill="#555" font-size="11">  ${esc(g.note)}</tspan>` : '')),
    );
    y += 18;
    const h = g.bars.length * (barH + gap);
    g.bars.forEach((b, i) => {
      const by = y + i * (barH + gap);
      parts.push(el('text', { x: left - 6, y: by + barH - 3, 'font-size': 10, 'text-anchor': 'end' }, esc(b.label)));
      if (typeof b.value === 'number') {
        parts.push(el('rect', { x: left, y: by, width: Math.max(1, x(b.value) - left), height: barH, fill: COLORS[b.id] || '#999' }));
        const t = b.text || `${b.value.toFixed(2)}x${b.value > scaleMax ? ' >' : ''}`;
        parts.push(el('text', { x: x(b.value) + 4, y: by + barH - 3, 'font-size': 10 }, esc(t)));
      } else {
        parts.push(el('text', { x: left + 4, y: by + barH - 3, 'font-size': 10, fill: '#888' }, esc(b.text || 'n/a')));
      }
    });
    y += h + groupGap;
    parts.push(el('line', { x1: 10, x2: width - 10, y1: y - groupGap / 2, y2: y - groupGap / 2, stroke: '#eee' }));
  }
  const bottom = y + 10;
  const axis = [];
  for (let v = 0; v <= scaleMax + 1e-9; v += scaleMax > 4 ? 1 : 0.5) {
    axis.push(el('line', { x1: x(v), x2: x(v), y1: top - 6, y2: bottom - 14, stroke: '#f0f0f0' }));
    axis.push(el('text', { x: x(v), y: bottom, 'font-size': 10, 'text-anchor': 'middle', fill: '#666' }, `${v}x`));
  }
  axis.push(
    el('line', { x1: x(1), x2: x(1), y1: top - 6, y2: bottom - 14, stroke: '#333', 'stroke-dasharray': '4 3' }),
  );
  const legend = Object.entries(labels)
    .filter(([id]) => COLORS[id])
    .map(([id, label], i) => {
      const lx = 10 + (i % 4) * 210;
      const ly = 34 + Math.floor(i / 4) * 14;
      return el('rect', { x: lx, y: ly - 9, width: 10, height: 10, fill: COLORS[id] }) +
        el('text', { x: lx + 14, y: ly, 'font-size': 10 }, esc(label));
    });
  const height = bottom + 12;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    el('rect', { x: 0, y: 0, width, height, fill: '#fff' }),
    el('text', { x: 10, y: 18, 'font-size': 14, 'font-weight': 'bold' }, esc(title)),
    subtitle ? el('text', { x: width - 10, y: 18, 'font-size': 10, 'text-anchor': 'end', fill: '#555' }, esc(subtitle)) : '',
    ...legend,
    ...axis,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

module.exports = { ratioChart, COLORS };
