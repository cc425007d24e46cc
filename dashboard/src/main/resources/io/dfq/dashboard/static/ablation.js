'use strict';
/*
 * The ablation page: the server lays out the recipe's groups as configurations x bit settings;
 * this script renders the table (best of each column in bold) and points the CSV and LaTeX links
 * at the same query.
 */
(() => {
  const {el, clear} = dfq;
  const form = document.getElementById('filters');
  const table = document.getElementById('ablation');
  dfq.restoreForm(form, new URLSearchParams(location.search));

  function render(ablation) {
    const lowest = ablation.metric === 'drop';
    const best = ablation.settings.map((_, i) => {
      const means = ablation.rows.map(r => r.cells[i]).filter(c => c && typeof c.stat.mean === 'number')
        .map(c => c.stat.mean);
      return means.length ? (lowest ? Math.min(...means) : Math.max(...means)) : null;
    });
    clear(table.querySelector('thead')).append(el('tr', {},
      ablation.parameters.map(p => el('th', {text: p})),
      ablation.settings.map(s => el('th', {class: 'num', text: s}))));
    clear(table.querySelector('tbody')).append(...ablation.rows.map(row => el('tr', {},
      row.labels.map(label => el('td', {text: label})),
      row.cells.map((cell, i) => {
        if (!cell || typeof cell.stat.mean !== 'number') return el('td', {class: 'num muted', text: '—'});
        const text = dfq.stat(cell.stat) + ' (' + cell.n + ')';
        return el('td', {class: 'num'}, cell.stat.mean === best[i] ? el('strong', {text}) : text);
      }))));
    if (ablation.rows.length === 0) {
      table.querySelector('tbody').append(el('tr', {}, el('td', {class: 'muted', text: 'no finished trials match'})));
    }
  }

  async function load() {
    const params = dfq.formParams(form);
    history.replaceState(null, '', '?' + params);
    document.getElementById('csv').href = '/api/ablation.csv?' + params;
    document.getElementById('tex').href = '/api/ablation.tex?' + params;
    try {
      render(await dfq.getJson('/api/ablation?' + params));
    } catch (error) {
      clear(table.querySelector('tbody')).append(el('tr', {}, el('td', {text: 'error: ' + error.message})));
    }
  }

  form.addEventListener('change', load);
  load();
})();
