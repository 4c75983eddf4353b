// Text that overprints other text, measured in the browser: every text node's line boxes and
// every blank to fill by hand, inside `selector`. Two boxes from different nodes that cross by
// more than a pixel, or a box that leaves its table cell, is a fault; each is described.
export function overlaps(selector) {
  const root = document.querySelector(selector);
  if (!root) return [`${selector}: not on the page`];
  const boxes = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) boxes.push({ r, node: n.parentElement, text: n.textContent.trim() });
  }
  for (const b of root.querySelectorAll('.blank')) {
    const r = b.getBoundingClientRect();
    if (r.width > 0) boxes.push({ r, node: b, text: '(blank)' });
  }
  const faults = [];
  const cross = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i];
    const cell = a.node.closest('td, th');
    if (cell) {
      const c = cell.getBoundingClientRect();
      if (a.r.left < c.left - 1 || a.r.right > c.right + 1 || a.r.top < c.top - 1 || a.r.bottom > c.bottom + 1) faults.push(`「${a.text}」 leaves its cell`);
    }
    for (let j = i + 1; j < boxes.length; j++) {
      const b = boxes[j];
      if (a.node === b.node || a.node.contains(b.node) || b.node.contains(a.node)) continue;
      if (cross(a.r, b.r)) faults.push(`「${a.text}」 overprints 「${b.text}」`);
    }
  }
  return [...new Set(faults)];
}
