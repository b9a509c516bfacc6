// The «Πηγές» panel: «Άνοιγμα» opens the cited page in the in-app viewer (Gradio runs this with `element`):
// a PDF in the PDF.js viewer (static/viewer/) with the excerpt highlighted, other guides as pages.
element.addEventListener('click', (event) => {
  const dialog = element.querySelector('dialog.kalo-viewer');
  const open = event.target.closest('a.kalo-open');
  if (open && dialog && dialog.showModal) {
    event.preventDefault();
    const href = open.getAttribute('href');
    dialog.querySelector('.kalo-viewer-title').textContent = open.dataset.title || '';
    dialog.querySelector('.kalo-viewer-tab').setAttribute('href', href);
    dialog.querySelector('iframe').src = open.dataset.viewer || href;
    dialog.showModal();
    return;
  }
  if (event.target.closest('.kalo-viewer-close') || event.target === dialog) {
    dialog.close();
  }
});
element.addEventListener('close', (event) => {
  if (event.target.matches && event.target.matches('dialog.kalo-viewer')) {
    event.target.querySelector('iframe').src = 'about:blank';
  }
}, true);
