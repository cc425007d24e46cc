'use strict';
/*
 * The trial page: facts, error, sample grid, stage timings and synthesis loss terms (initial and
 * final value of each term, as the generator recorded them), artifacts, metrics and the resolved
 * config; reloaded when the live feed reports the trial changed.
 */
(() => {
  const {el, clear} = dfq;
  const key = document.querySelector('main').dataset.key;
  const STAGES = ['teacher', 'synthesis', 'quantization', 'evaluation'];

  function facts(trial) {
    const rows = [['recipe', trial.recipe], ['status', trial.status], ['attempts', trial.attempts],
      ['worker', trial.worker || '—'], ['top1', number(trial.metrics.top1, ' %')],
      ['FP32 top1', number(trial.metrics.fp32_top1, ' %')], ['agreement', number(trial.metrics.agreement, ' %')],
      ['size', dfq.bytes(trial.metrics.size_bytes)], ['registered', trial.created], ['updated', trial.updated]];
    clear(document.getElementById('facts')).append(...rows.flatMap(([name, value]) => [
      el('dt', {text: name}), el('dd', {class: name === 'status' ? 'status-' + value : null, text: value})]));
  }

  function number(value, unit) {
    return typeof value === 'number' ? value.toFixed(2) + unit : '—';
  }

  function grid(trial) {
    const artifact = trial.artifacts.find(a => a.name === 'sample_grid' && a.url);
    const image = document.getElementById('grid');
    image.hidden = !artifact;
    document.getElementById('no-grid').hidden = Boolean(artifact);
    if (artifact && image.getAttribute('src') !== artifact.url) image.src = artifact.url;
  }

  function stages(trial) {
    const names = Object.keys(trial.stages).sort((a, b) => order(a) - order(b));
    dfq.chart('stages-chart').setOption({
      tooltip: dfq.tooltip({trigger: 'axis'}),
      grid: {top: 10, left: 100, right: 40, bottom: 30},
      xAxis: {type: 'value', name: 's'},
      yAxis: {type: 'category', data: names, inverse: true},
      series: [{type: 'bar', name: 'seconds', data: names.map(n => Number(trial.stages[n].toFixed(3)))}],
    }, true);
  }

  function order(stage) {
    const i = STAGES.indexOf(stage);
    return i < 0 ? STAGES.length : i;
  }

  function losses(trial) {
    const chart = document.getElementById('loss-chart');
    document.getElementById('no-loss').hidden = trial.losses.length > 0;
    chart.hidden = trial.losses.length === 0;
    if (trial.losses.length === 0) return;
    dfq.chart('loss-chart').setOption({
      tooltip: dfq.tooltip({trigger: 'axis'}),
      legend: {top: 0},
      grid: {top: 36, left: 70, right: 20, bottom: 30},
      xAxis: {type: 'category', data: trial.losses.map(l => l.term)},
      yAxis: {type: 'value', name: 'loss'},
      series: ['initial', 'final'].map(when => ({type: 'bar', name: when,
        data: trial.losses.map(l => (typeof l[when] === 'number' ? l[when] : null))})),
    }, true);
  }

  function curves(trial) {
    const chart = document.getElementById('curve-chart');
    document.getElementById('no-curves').hidden = trial.curves.length > 0;
    chart.hidden = trial.curves.length === 0;
    if (trial.curves.length === 0) return;
    const epochs = Math.max(...trial.curves.map(c => c.values.length));
    dfq.chart('curve-chart').setOption({
      tooltip: dfq.tooltip({trigger: 'axis'}),
      legend: {top: 0},
      grid: {top: 36, left: 70, right: 20, bottom: 30},
      xAxis: {type: 'category', name: 'epoch', data: Array.from({length: epochs}, (_, i) => String(i + 1))},
      yAxis: {type: 'value', name: 'loss'},
      series: trial.curves.map(c => ({type: 'line', name: c.name, data: c.values})),
    }, true);
  }

  function render(trial) {
    facts(trial);
    const error = document.getElementById('error');
    error.hidden = !trial.error;
    error.textContent = trial.error || '';
    grid(trial);
    stages(trial);
    losses(trial);
    curves(trial);
    clear(document.getElementById('artifacts')).append(...trial.artifacts.map(a => el('li', {},
      el('strong', {text: a.name}), ' ',
      a.url ? el('a', {href: a.url, text: a.path})
        : el('span', {class: 'muted', text: a.path + ' (no file here to serve)'}))));
    clear(document.querySelector('#metrics tbody')).append(...Object.entries(trial.metrics).map(([name, value]) =>
      el('tr', {}, el('td', {text: name}), el('td', {class: 'num', text: String(value)}))));
    document.getElementById('config').textContent = JSON.stringify(trial.config, null, 2);
  }

  async function load() {
    try {
      render(await dfq.getJson('/api/trials/' + encodeURIComponent(key)));
    } catch (error) {
      const message = document.getElementById('error');
      message.hidden = false;
      message.textContent = 'error: ' + error.message;
    }
  }

  dfq.live({changed: changed => {
    if (key in changed) load();
  }});
  load();
})();
