'use strict';
/*
 * The leaderboard page: filters, sorting and paging are done by the server (/api/leaderboard);
 * this script keeps them in the URL, renders the page of groups, the FP32 reference rows and the
 * seeds of a group on click, hides the columns that are equal in every matching row on request,
 * and follows running sweeps through the live feed (/api/events).
 */
(() => {
  const {el, clear} = dfq;
  const form = document.getElementById('filters');
  const table = document.getElementById('board');
  const tbody = table.querySelector('tbody');
  const summary = document.getElementById('summary');
  const differs = document.getElementById('differs');
  const fp32 = document.getElementById('fp32');
  const state = {sort: null, dir: null, offset: 0, page: null, request: 0};
  const TEXT_COLUMNS = ['model', 'generator', 'quantizer', 'wbits', 'protocol'];

  const initial = new URLSearchParams(location.search);
  dfq.restoreForm(form, initial);
  state.sort = initial.get('sort');
  state.dir = initial.get('dir');
  state.offset = Number(initial.get('offset')) || 0;
  differs.checked = initial.get('differs') === '1';
  fp32.checked = initial.get('fp32') !== '0';

  function query() {
    const params = dfq.formParams(form);
    if (state.sort) params.set('sort', state.sort);
    if (state.dir) params.set('dir', state.dir);
    if (state.offset) params.set('offset', String(state.offset));
    return params;
  }

  async function load() {
    const params = query();
    const shown = new URLSearchParams(params);
    if (differs.checked) shown.set('differs', '1');
    if (!fp32.checked) shown.set('fp32', '0');
    history.replaceState(null, '', '?' + shown);
    const request = ++state.request;
    try {
      const page = await dfq.getJson('/api/leaderboard?' + params);
      if (request !== state.request) return;
      state.page = page;
      render(page);
    } catch (error) {
      if (request === state.request) summary.textContent = 'error: ' + error.message;
    }
  }

  function render(page) {
    for (const [column, values] of Object.entries(page.values)) {
      const select = form.elements.namedItem(column);
      if (select) dfq.fillSelect(select, values, 'any');
    }
    summary.textContent = page.groups + ' configurations, ' + page.trials + ' trials';
    clear(tbody);
    if (fp32.checked) page.references.forEach(reference => tbody.append(referenceRow(reference)));
    page.rows.forEach(row => tbody.append(groupRow(row)));
    if (page.rows.length === 0) {
      tbody.append(el('tr', {}, el('td', {colspan: 12, class: 'muted', text: 'no finished trials match'})));
    }
    table.querySelectorAll('th[data-sort]').forEach(th => {
      const sorted = th.dataset.sort === (state.sort || 'top1');
      const dir = state.dir || (state.sort ? 'asc' : 'desc');
      th.classList.toggle('sorted-asc', sorted && dir === 'asc');
      th.classList.toggle('sorted-desc', sorted && dir === 'desc');
      th.setAttribute('aria-sort', sorted ? (dir === 'asc' ? 'ascending' : 'descending') : 'none');
    });
    hideColumns(page);
    const first = page.rows.length ? page.offset + 1 : 0;
    document.getElementById('range').textContent =
      first + '–' + (page.offset + page.rows.length) + ' of ' + page.groups;
    document.getElementById('prev').disabled = page.offset === 0;
    document.getElementById('next').disabled = page.offset + page.limit >= page.groups;
  }

  function hideColumns(page) {
    const hidden = new Set();
    if (differs.checked) {
      for (const column of ['model', 'generator', 'quantizer', 'protocol']) {
        if (!page.differing.includes(column)) hidden.add(column);
      }
      if (!page.differing.includes('wbits') && !page.differing.includes('abits')) hidden.add('bits');
      if (page.rows.every(row => row.variant === '')) hidden.add('variant');
    }
    table.querySelectorAll('[data-col]').forEach(cell => cell.classList.toggle('hidden', hidden.has(cell.dataset.col)));
  }

  function cells(values) {
    return [
      el('td', {'data-col': 'model', text: values.model}),
      el('td', {'data-col': 'generator', text: values.generator}),
      el('td', {'data-col': 'quantizer', text: values.quantizer}),
      el('td', {'data-col': 'bits', text: values.bits}),
      el('td', {'data-col': 'protocol', text: values.protocol}),
      el('td', {'data-col': 'variant', class: 'variant', text: values.variant}),
      el('td', {class: 'num', text: values.n}),
      el('td', {class: 'num', text: values.top1}),
      el('td', {class: 'num', text: values.drop}),
      el('td', {class: 'num', text: values.agreement}),
      el('td', {class: 'num', text: values.size}),
      el('td', {class: 'num', text: values.time}),
    ];
  }

  function referenceRow(reference) {
    return el('tr', {class: 'fp32'}, cells({
      model: reference.model, generator: '—', quantizer: 'FP32', bits: '32/32', protocol: '—',
      variant: 'teacher of ' + reference.trials + ' trials', n: '', top1: reference.top1.toFixed(2),
      drop: '0.00', agreement: '100.00', size: dfq.bytes(reference.sizeBytes), time: '',
    }));
  }

  function groupRow(row) {
    const tr = el('tr', {class: 'group', 'data-group': row.groupKey, title: 'show the seeds'}, cells({
      model: row.model, generator: row.generator, quantizer: row.quantizer, bits: row.wbits + '/' + row.abits,
      protocol: row.protocol, variant: row.variant, n: row.n, top1: dfq.stat(row.top1), drop: dfq.stat(row.drop),
      agreement: dfq.stat(row.agreement), size: dfq.bytes(row.sizeBytes.mean), time: dfq.duration(row.seconds.mean),
    }));
    tr.addEventListener('click', () => toggleSeeds(tr, row.groupKey));
    return tr;
  }

  async function toggleSeeds(tr, group) {
    const next = tr.nextElementSibling;
    if (next && next.classList.contains('detail')) {
      next.remove();
      return;
    }
    const params = new URLSearchParams({group, limit: '200', sort: 'seed'});
    const recipe = form.elements.namedItem('recipe').value;
    if (recipe) params.set('recipe', recipe);
    const cell = el('td', {colspan: 12, text: 'loading...'});
    const detail = el('tr', {class: 'detail'}, cell);
    tr.after(detail);
    try {
      const trials = await dfq.getJson('/api/trials?' + params);
      const rows = trials.map(t => el('tr', {},
        el('td', {}, el('a', {href: '/trial/' + encodeURIComponent(t.key), text: t.key.slice(0, 12)})),
        el('td', {text: 'seed ' + t.seed}),
        el('td', {class: 'status-' + t.status, text: t.status}),
        el('td', {class: 'num', text: typeof t.top1 === 'number' ? t.top1.toFixed(2) : ''}),
        el('td', {class: 'num', text: typeof t.agreement === 'number' ? t.agreement.toFixed(2) : ''})));
      clear(cell).append(el('table', {class: 'seeds'},
        el('thead', {}, el('tr', {},
          ['trial', 'seed', 'status', 'top1 %', 'agreement %'].map(h => el('th', {text: h})))),
        el('tbody', {}, rows)));
    } catch (error) {
      cell.textContent = 'error: ' + error.message;
    }
  }

  table.querySelectorAll('th[data-sort]').forEach(th => th.addEventListener('click', () => {
    const column = th.dataset.sort;
    if ((state.sort || 'top1') === column) {
      const dir = state.dir || (state.sort ? 'asc' : 'desc');
      state.dir = dir === 'asc' ? 'desc' : 'asc';
    } else {
      state.dir = TEXT_COLUMNS.includes(column) ? 'asc' : 'desc';
    }
    state.sort = column;
    state.offset = 0;
    load();
  }));
  let typing = null;
  form.addEventListener('input', event => {
    if (event.target.name !== 'q') return;
    clearTimeout(typing);
    typing = setTimeout(() => { state.offset = 0; load(); }, 250);
  });
  form.addEventListener('change', event => {
    if (event.target.name === 'q') return;
    if (event.target.name) state.offset = 0;
    if (event.target === differs || event.target === fp32) {
      if (state.page) render(state.page);
      const shown = new URLSearchParams(location.search);
      shown.set('differs', differs.checked ? '1' : '0');
      shown.set('fp32', fp32.checked ? '1' : '0');
      history.replaceState(null, '', '?' + shown);
      return;
    }
    load();
  });
  form.addEventListener('submit', event => event.preventDefault());
  document.getElementById('prev').addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - Number(form.elements.namedItem('limit').value));
    load();
  });
  document.getElementById('next').addEventListener('click', () => {
    state.offset += Number(form.elements.namedItem('limit').value);
    load();
  });

  // Live: progress of running sweeps; finished trials reload the page of groups.
  const live = document.getElementById('live');
  const messages = new Map();
  let reload = null;
  function renderLive(progress) {
    live.hidden = progress.recipes.length === 0 && progress.running.length === 0;
    clear(document.getElementById('live-recipes')).append(...progress.recipes.map(recipe => {
      const c = recipe.counts;
      const total = c.DONE + c.FAILED + c.RUNNING + c.PENDING;
      return el('div', {class: 'recipe-progress'}, el('strong', {text: recipe.name}),
        el('progress', {max: total, value: c.DONE + c.FAILED}),
        `${c.DONE + c.FAILED}/${total} finished: done ${c.DONE}, running ${c.RUNNING}, pending ${c.PENDING},`
          + ` failed ${c.FAILED}`);
    }));
    clear(document.getElementById('live-trials')).append(...progress.running.map(t => el('li', {'data-key': t.key},
      el('a', {href: '/trial/' + encodeURIComponent(t.key), text: t.key.slice(0, 12)}),
      ` ${t.recipe}: ${t.generator} / ${t.quantizer} W${t.wbits}A${t.abits} seed ${t.seed}, attempt ${t.attempts}`
        + (t.worker ? ` on ${t.worker}` : ''),
      el('span', {class: 'muted message', text: messages.has(t.key) ? ' — ' + messages.get(t.key) : ''}))));
  }
  dfq.live({
    progress: renderLive,
    trial: trial => {
      messages.set(trial.key, trial.kind + (trial.text ? ': ' + trial.text : ''));
      const item = document.querySelector(`#live-trials li[data-key="${CSS.escape(trial.key)}"] .message`);
      if (item) item.textContent = ' — ' + messages.get(trial.key);
    },
    changed: changed => {
      if (Object.values(changed).includes('DONE')) {
        clearTimeout(reload);
        reload = setTimeout(load, 300);
      }
    },
  });

  load();
})();
