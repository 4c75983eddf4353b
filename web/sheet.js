// The application form (別紙特例様式, or the standard regime's), filled from the assessment and
// laid out as the ministry prints it. Its fixed text is the rule file's `forms` data; a value
// not given prints as a blank to fill by hand. The form is in Japanese, as it is filed; in
// English each label carries a gloss.
import { el, num } from './dom.js';

const blank = (cls = '') => el('span', { class: `blank ${cls}`.trim() });
const fill = (v, cls = '') => (v ? el('span', { class: `filled ${cls}`.trim(), text: v }) : blank(cls));

/** 西暦 YYYY 年 M 月 D 日, blanks for an unknown date. */
function dateFill(iso, f) {
  const [y, m, d] = iso ? iso.split('-').map(Number) : [];
  const l = f.labels;
  // Each figure stays with its unit; a narrow cell breaks the date between them, never inside.
  const part = (...c) => el('span', { class: 'nb' }, ...c);
  return el('span', { class: 'date-fill' }, part(l.date.ja), ' ', part(fill(y && String(y), 'y'), ` ${l.year.ja}`), ' ',
    part(fill(m && String(m), 'md'), ` ${l.month.ja}`), ' ', part(fill(d && String(d), 'md'), ` ${l.day.ja}`));
}

/**
 * `who`: {name, founder, postal_code, address, phone, and the dates reader_applied_on and
 * applied_on as the core read them}; `code`: the core's checked code, or null.
 */
export function applicationSheet(rules, a, who, code, lang) {
  const f = rules.forms;
  const layout = a.form && f.layouts[a.form];
  if (!layout) return null;
  const label = (w) => (lang === 'en' ? [w.ja, el('span', { class: 'gloss', lang: 'en', text: w.en })] : [w.ja]);
  const th = (w, props = {}) => el('th', { scope: 'row', ...props }, ...label(w));
  const standard = a.regime === 'standard';
  const applicant = el('table', { class: 'sheet-applicant' },
    el('caption', {}, ...label(f.labels.applicant)),
    el('tbody', {},
      el('tr', {}, th(f.labels.prefecture), el('td', { class: 'code' }, fill(code && String(code.prefecture).padStart(2, '0'))),
        th(f.labels.fee_schedule), el('td', { class: 'code' }, fill(code && String(code.fee_schedule))),
        th(layout.code_label), el('td', { class: 'code' }, fill(code?.code))),
      el('tr', {}, th(layout.name_label), el('td', { colspan: 5 }, fill(who.name))),
      el('tr', {}, th(f.labels.founder), el('td', { colspan: 5 }, fill(who.founder))),
      el('tr', {}, th(f.labels.address), el('td', { colspan: 5 }, fill(who.postal_code, 'postal'), el('br'), fill(who.address))),
      el('tr', {}, th(f.labels.phone), el('td', { colspan: 5 }, fill(who.phone)))));
  const cost = a.eligible_cost;
  const lower = standard ? Math.min(cost, a.cap) : a.special_grant;
  const heads = [f.labels.reader_applied_on, f.labels.total_cost, f.labels.cap, standard ? f.labels.rate : f.labels.lower];
  const cells = [dateFill(who.reader_applied_on, f), money(cost, f), money(a.cap, f), standard ? el('span', { text: a.standard_rate }) : money(lower, f)];
  if (standard) { heads.push(f.labels.lower_times_rate); cells.push(money(a.standard_grant, f)); }
  const amounts = el('table', { class: 'sheet-amounts' },
    el('thead', {}, el('tr', {}, ...heads.map((w) => el('th', { scope: 'col' }, ...label(w))))),
    // On a phone the row stands as a list, each value under its heading (data-label).
    el('tbody', {}, el('tr', {}, ...cells.map((c, i) => el('td', { class: i ? 'amount' : '', 'data-label': lang === 'en' ? `${heads[i].ja} (${heads[i].en})` : heads[i].ja }, c)))));
  const sheet = el('article', { class: 'sheet', id: 'sheet', lang: 'ja', 'aria-label': `${a.form} ${f.title.ja}` },
    el('p', { class: 'sheet-form-name', text: a.form }),
    el('div', { class: 'sheet-head' },
      el('div', {}, el('p', { class: 'sheet-addressee' }, ...label(f.addressee)), el('p', {}, ...label(f.section)), el('p', {}, ...label(layout.purpose))),
      el('div', { class: 'sheet-date' }, el('p', {}, ...label(f.rounding)), el('p', {}, ...label(f.tax)), dateFill(who.applied_on, f))),
    applicant,
    el('p', { class: 'sheet-title' }, ...label(f.title)),
    el('p', { class: 'sheet-declaration' }, ...label(layout.declaration)),
    el('p', { class: 'sheet-record', text: f.record.ja }),
    el('p', { class: 'sheet-for' }, ...label(layout.for_whom)),
    amounts,
    el('ul', { class: 'sheet-notes' }, ...[...f.notes, ...layout.notes].map((n) => el('li', {}, ...label(n)))),
    el('p', { class: 'sheet-source' }, `${lang === 'en' ? 'Source' : '出典'}：`, ...citation(rules, layout.source, lang === 'en' ? layout.article_en : layout.article, lang)));
  const attachments = el('section', { class: 'sheet-attachments', 'aria-labelledby': 'h-attach' },
    el('h3', { id: 'h-attach' }, ...label(f.attachments_title)),
    el('ul', {}, ...f.attachments.map((w) => el('li', {}, ...label(w)))),
    el('p', { class: 'sheet-source' }, `${lang === 'en' ? 'Source' : '出典'}：`, ...citation(rules, f.attachments_source, lang === 'en' ? f.attachments_article.en : f.attachments_article.ja, lang)));
  return [sheet, attachments];
}

/**
 * A citation as the core writes it (the source's name, then the article), as nodes: the name
 * links to the source's page when it has one, opened only on a click.
 */
export function citation(rules, source, article, lang) {
  const s = rules.sources[source];
  return [linked(s.url, lang === 'en' ? s.short_en : s.short), lang === 'en' ? `, ${article}` : ` ${article}`];
}

/** `text` as a link to a source's URL (a new tab, no referrer), or as plain text. */
export const linked = (url, text) => (url ? el('a', { href: url, rel: 'noopener noreferrer', target: '_blank', text }) : text);

const money = (n, f) => el('span', {}, el('span', { class: 'filled', text: num(n) }), ` ${f.labels.yen.ja}`);
