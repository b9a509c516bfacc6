// The in-app PDF viewer: renders one page of a guide with PDF.js (canvas + text layer) and highlights the
// cited excerpt by searching the page's text, folded as search folds Greek (accents, case, final sigma,
// Latin look-alike letters, spacing and hyphenation ignored); «−» / «+» zoom it from the width that fits.
// State for tests: body[data-state], [data-highlights], [data-zoom].
import { GlobalWorkerOptions, TextLayer, getDocument } from './pdfjs/pdf.min.mjs';

GlobalWorkerOptions.workerSrc = new URL('./pdfjs/pdf.worker.min.mjs', import.meta.url).href;

const params = new URLSearchParams(location.hash.slice(1));
const file = params.get('file') || '';
const first = Math.max(1, parseInt(params.get('page') || '1', 10) || 1);
const last = Math.max(first, parseInt(params.get('end') || String(first), 10) || first);
const excerpt = params.get('q') || '';
const pages = document.getElementById('pages');
const where = document.getElementById('where');
const found = document.getElementById('found');
const prev = document.getElementById('prev');
const next = document.getElementById('next');
const zoomIn = document.getElementById('zoom-in');
const zoomOut = document.getElementById('zoom-out');
const zoomFit = document.getElementById('zoom-fit');
// Times the width that fits the frame: on a phone the fitted page is too small to read, so − / + (and
// the browser's pinch-zoom, which the viewport meta leaves on).
const ZOOMS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
const MAX_PIXELS = 16e6;  // a canvas beyond this is refused by mobile browsers (iOS): fewer device pixels

const LOOKALIKE = { a: 'α', b: 'β', e: 'ε', h: 'η', i: 'ι', k: 'κ', m: 'μ', n: 'ν', o: 'ο', p: 'ρ', t: 'τ',
  x: 'χ', y: 'υ', z: 'ζ', 'ς': 'σ' };
const KEEP = /[\p{L}\p{N}]/u;

function fold(ch) {
  const base = ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  return [...base].filter((c) => KEEP.test(c)).map((c) => LOOKALIKE[c] || c).join('');
}

// The page's text folded, with where each folded character came from: [item index, offset in the item].
function foldItems(items) {
  let text = '';
  const from = [];
  items.forEach((str, item) => {
    [...str].forEach((ch, offset) => {
      for (const c of fold(ch)) { text += c; from.push([item, offset]); }
    });
  });
  return { text, from };
}

// Where the excerpt's parts are in the folded page text: [start, end) ranges. A part whose whole text is
// not found (a repaired word, a header between lines) is placed by its first or last 40 characters.
function locate(page, query) {
  const ranges = [];
  for (const part of query.split(/\s+…\s+/)) {
    const wanted = [...part].map(fold).join('');
    if (wanted.length < 8) continue;
    let at = page.indexOf(wanted);
    if (at >= 0) { ranges.push([at, at + wanted.length]); continue; }
    const head = wanted.slice(0, 40), tail = wanted.slice(-40);
    at = page.indexOf(head);
    if (at >= 0) { ranges.push([at, Math.min(page.length, at + wanted.length)]); continue; }
    at = page.indexOf(tail);
    if (at >= 0) ranges.push([Math.max(0, at + tail.length - wanted.length), at + tail.length]);
  }
  return ranges;
}

// Wrap the located characters of each text-layer span in <span class="kalo-hl">.
function mark(layer, strings, map, ranges) {
  const perItem = new Map();
  for (const [start, end] of ranges) {
    for (let k = start; k < end; k++) {
      const [item, offset] = map[k];
      if (!perItem.has(item)) perItem.set(item, new Set());
      perItem.get(item).add(offset);
    }
  }
  const marks = [];
  for (const [item, offsets] of perItem) {
    const div = layer.textDivs[item];
    const chars = [...strings[item]];
    if (!div || !chars.length) continue;
    const lo = Math.min(...offsets), hi = Math.max(...offsets) + 1;
    const hl = document.createElement('span');
    hl.className = 'kalo-hl';
    hl.textContent = chars.slice(lo, hi).join('');
    div.replaceChildren(chars.slice(0, lo).join(''), hl, chars.slice(hi).join(''));
    marks.push(hl);
  }
  return marks;
}

let pdf = null;
let current = first;
let zoom = 1;
let drawn = 0;  // the latest show(): an earlier one still rendering (a quick second click) gives way
let fittedTo = 0;  // the frame's width the page was fitted to

function showZoom() {
  const percent = `${Math.round(zoom * 100)}%`;
  document.getElementById('zoom').textContent = percent;
  zoomFit.setAttribute('aria-label', `Προσαρμογή στο πλάτος (τώρα ${percent})`);
  zoomOut.disabled = !pdf || zoom <= ZOOMS[0];
  zoomIn.disabled = !pdf || zoom >= ZOOMS[ZOOMS.length - 1];
  zoomFit.disabled = !pdf;
}

async function show(number) {
  const run = ++drawn;
  document.body.dataset.state = 'loading';
  const page = await pdf.getPage(number);
  const base = page.getViewport({ scale: 1 });
  fittedTo = pages.clientWidth;
  const gutter = fittedTo < 600 ? 12 : 24;  // a phone's width is better spent on the page
  const fit = Math.min(2, Math.max(0.5, (fittedTo - gutter) / base.width));
  const scale = fit * zoom;
  const viewport = page.getViewport({ scale });
  const ratio = Math.min(window.devicePixelRatio || 1, Math.sqrt(MAX_PIXELS / (viewport.width * viewport.height)));
  const box = document.createElement('div');
  box.className = 'page';
  box.style.setProperty('--total-scale-factor', String(scale));
  box.style.width = `${Math.floor(viewport.width)}px`;
  box.style.height = `${Math.floor(viewport.height)}px`;
  const canvas = document.createElement('canvas');
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.style.width = box.style.width;
  canvas.style.height = box.style.height;
  canvas.setAttribute('aria-hidden', 'true');
  const text = document.createElement('div');
  text.className = 'textLayer';
  box.append(canvas, text);
  pages.replaceChildren(box);
  await page.render({
    canvasContext: canvas.getContext('2d'), viewport, transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
  }).promise;
  const layer = new TextLayer({ textContentSource: await page.getTextContent(), container: text, viewport });
  await layer.render();
  if (run !== drawn) return 0;
  current = number;
  where.textContent = `Σελίδα ${number} από ${pdf.numPages}`;
  prev.disabled = number <= 1;
  next.disabled = number >= pdf.numPages;
  let marks = [];
  if (excerpt) {
    const { text: folded, from } = foldItems(layer.textContentItemsStr);
    marks = mark(layer, layer.textContentItemsStr, from, locate(folded, excerpt));
    found.textContent = marks.length ? 'Το απόσπασμα της παραπομπής επισημαίνεται.' : '';
  }
  document.body.dataset.highlights = String(marks.length);
  document.body.dataset.page = String(number);
  document.body.dataset.zoom = String(zoom);
  showZoom();
  document.body.dataset.state = 'ready';
  if (marks.length) marks[0].scrollIntoView({ block: 'center' });
  return marks.length;
}

function fail(message) {
  const p = document.createElement('p');
  p.className = 'error';
  p.setAttribute('role', 'alert');
  p.textContent = message;
  pages.replaceChildren(p);
  where.textContent = '';
  document.body.dataset.state = 'error';
}

async function open() {
  prev.disabled = next.disabled = true;
  showZoom();
  // Only the app's own guides: the viewer never fetches another site's file.
  if (!/^guides\/[^/?#][^?#]*\.pdf$/i.test(file) || file.includes('..')) {
    fail('Μη έγκυρος οδηγός.');
    return;
  }
  try {
    pdf = await getDocument({ url: new URL(`../${file}`, location.href).href, isEvalSupported: false }).promise;
  } catch (err) {
    fail('Δεν ήταν δυνατό να ανοίξει ο οδηγός.');
    return;
  }
  // The excerpt may start on a later page of the cited range: the first page of it that holds it.
  for (let n = Math.min(first, pdf.numPages); n <= Math.min(last, pdf.numPages); n++) {
    if ((await show(n)) || !excerpt || n === Math.min(last, pdf.numPages)) break;
  }
  if (excerpt && document.body.dataset.highlights === '0') {
    await show(Math.min(first, pdf.numPages));
    found.textContent = 'Το απόσπασμα δεν εντοπίστηκε στο κείμενο της σελίδας.';
  }
}

function zoomTo(step) {
  const at = ZOOMS.indexOf(zoom);
  const to = step === 0 ? 1 : ZOOMS[Math.min(ZOOMS.length - 1, Math.max(0, at + step))];
  if (pdf && to !== zoom) { zoom = to; show(current); }
}

prev.addEventListener('click', () => current > 1 && show(current - 1));
next.addEventListener('click', () => pdf && current < pdf.numPages && show(current + 1));
zoomIn.addEventListener('click', () => zoomTo(1));
zoomOut.addEventListener('click', () => zoomTo(-1));
zoomFit.addEventListener('click', () => zoomTo(0));
document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;  // the browser's own zoom
  if (event.key === 'ArrowLeft' && !prev.disabled) prev.click();
  if (event.key === 'ArrowRight' && !next.disabled) next.click();
  if (event.key === '+' || event.key === '=') zoomTo(1);
  if (event.key === '-') zoomTo(-1);
  if (event.key === '0') zoomTo(0);
});
// A phone turned sideways (or a resized window): the page is fitted to the new width.
window.addEventListener('resize', () => {
  if (pdf && document.body.dataset.state === 'ready' && pages.clientWidth !== fittedTo) show(current);
});
open();
