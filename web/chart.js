// The what-if chart: the core's figures (wasm whatIf) drawn as SVG, with the same figures in a
// table. Only the drawing is computed here (pixels); every amount shown is the core's.
import { el, svg, num } from './dom.js';

const L = 84; const R = 16; const T = 28; const B = 48;

/**
 * `w` is the core's WhatIf; `t` the page's words; `width` the pixels it is shown at: the drawing
 * is that wide (320 to 640), so that its text stays at the page's size on a phone.
 */
export function whatIfChart(w, t, width = 640) {
  const W = Math.round(Math.max(320, Math.min(640, width || 640)));
  const H = Math.round(W < 480 ? 260 : 300);
  const top = Math.max(1, ...w.points.map((p) => Math.max(p.special, p.standard)), w.current.grant);
  const x = (v) => L + ((W - L - R) * v) / Math.max(1, w.max_cost);
  const y = (v) => H - B - ((H - T - B) * v) / top;
  const line = (key, cls) => svg('polyline', { class: cls, points: w.points.map((p) => `${x(p.cost).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ') });
  const atCap = w.points.find((p) => p.cost === w.cap) ?? w.points[w.points.length - 1];
  const tick = (v, label) => svg('g', {},
    svg('line', { x1: L - 4, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }),
    svg('text', { x: L - 8, y: y(v) + 4, 'text-anchor': 'end', text: label }));
  const xTick = (v, label, anchor = 'middle') => svg('text', { x: x(v), y: H - B + 20, 'text-anchor': anchor, text: label });
  const cur = w.current;
  const inRange = cur.cost <= w.max_cost;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'what-if', role: 'img', 'aria-labelledby': 'what-if-title what-if-desc' },
    svg('title', { id: 'what-if-title', text: t('chartTitle') }),
    svg('desc', { id: 'what-if-desc', text: t('chartDesc', num(w.cap), num(atCap.special), num(atCap.standard)) }),
    tick(0, '0'), tick(atCap.standard, num(atCap.standard)), tick(atCap.special, num(atCap.special)),
    svg('line', { x1: x(w.cap), x2: x(w.cap), y1: T, y2: H - B, class: 'cap-line' }),
    // On a narrow drawing the axis's end gives way to the cap's label.
    xTick(0, '0', 'start'), xTick(w.cap, `${t('cap')} ${num(w.cap)}`), W >= 480 ? xTick(w.max_cost, num(w.max_cost), 'end') : null,
    svg('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle', text: t('chartX') }),
    line('special', 'special-line'), line('standard', 'standard-line'),
    inRange ? svg('circle', { cx: x(cur.cost), cy: y(cur.grant), r: 7, class: 'you' }) : null,
    inRange ? svg('text', { x: x(cur.cost) > W - 160 ? x(cur.cost) - 10 : x(cur.cost) + 10, y: Math.max(y(cur.grant) - 10, T - 8), 'text-anchor': x(cur.cost) > W - 160 ? 'end' : 'start', class: 'you-label', text: `${t('you')} ${num(cur.grant)}` }) : null);
  const legend = el('p', { class: 'legend' },
    el('span', { class: 'key special', text: t('special') }), el('span', { class: 'key standard', text: t('standard') }),
    el('span', { class: 'key you', text: t('you') }), el('span', { class: 'key cap', text: t('cap') }));
  const figure = el('figure', { class: 'chart' }, chart, legend, figuresTable(w, t));
  return w.readers.length ? [figure, readersTable(w, t)] : [figure];
}

function readersTable(w, t) {
  return el('table', { class: 'data', id: 'readers-table' },
    el('caption', { text: t('readersTable') }),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('readers') }), el('th', { scope: 'col', text: t('cap') }), el('th', { scope: 'col', text: t('grantAtCost') }))),
    el('tbody', {}, ...w.readers.map((r) => el('tr', {},
      el('th', { scope: 'row', text: String(r.readers) }), el('td', { text: num(r.cap) }), el('td', { text: num(r.grant) })))));
}

function figuresTable(w, t) {
  const rows = w.points.filter((p, i) => i % 10 === 0 || p.cost === w.cap);
  const body = el('tbody', {}, ...rows.map((p) => el('tr', {},
    el('th', { scope: 'row', text: num(p.cost) }), el('td', { text: num(p.special) }), el('td', { text: num(p.standard) }))));
  const table = el('table', { class: 'data' },
    el('caption', { text: t('chartTable') }),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: t('chartX') }), el('th', { scope: 'col', text: t('special') }), el('th', { scope: 'col', text: t('standard') }))),
    body);
  const you = el('p', { text: `${t('you')}：${t('chartX')} ${num(w.current.cost)} → ${t('grant')} ${num(w.current.grant)}` });
  return el('figcaption', {}, el('details', {}, el('summary', { text: t('chartFigures') }), table, you));
}
