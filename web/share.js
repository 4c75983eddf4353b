// A link that carries the inputs: `#key=value&…` after the `#`, which browsers never send to a
// server. Keys are `onshi assess`'s JSON field names (line items as `line_items[0].amount`, the
// names its errors use), plus the applicant's details, `rules` (a revision other than the latest) and `view`. Pure functions, tested in Node.

export const FIELDS = ['kind', 'readers', 'group_rx_per_month', 'reader_applied_on', 'contracted_on', 'operation_started_on', 'completed_on', 'applied_on',
  'deferral', 'total_cost', 'disposed_on', 'institution_code', 'name', 'founder', 'postal_code', 'address', 'phone', 'start_on', 'rules', 'lang', 'view'];
const ITEM_KEYS = ['category', 'amount', 'tax_included', 'description'];
const ITEM = /^line_items\[(\d{1,3})\]\.([a-z_]+)$/;

/** `{ fields: {key: text}, items: [{category, amount, tax_included, description}] }` → fragment. */
export function toFragment({ fields, items = [] }) {
  const p = new URLSearchParams();
  for (const k of FIELDS) if (fields[k] != null && String(fields[k]).trim() !== '') p.append(k, fields[k]);
  items.forEach((it, i) => {
    for (const k of ITEM_KEYS) if (it[k] != null && it[k] !== '') p.append(`line_items[${i}].${k}`, String(it[k]));
  });
  return p.toString();
}

/** A fragment (with or without `#`) → `{ fields, items, unknown }`; unknown keys are listed, not dropped silently. */
export function fromFragment(hash) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const fields = {}; const items = []; const unknown = [];
  for (const [k, v] of p) {
    const m = ITEM.exec(k);
    if (FIELDS.includes(k)) fields[k] = v;
    else if (m && ITEM_KEYS.includes(m[2])) {
      const i = Number(m[1]);
      while (items.length <= i) items.push({});
      items[i][m[2]] = v;
    } else unknown.push(k);
  }
  return { fields, items: items.filter((it) => Object.keys(it).length), unknown };
}
