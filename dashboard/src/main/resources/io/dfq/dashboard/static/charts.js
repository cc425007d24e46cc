'use strict';
/*
 * The charts page, for one recipe or all: accuracy against bit setting per method (the ablation's
 * rows as lines), the Pareto front of accuracy against model size (computed by the server) and the
 * recipe's trials in parallel coordinates.
 */
(() => {
  const form = document.getElementById('filters');
  dfq.restoreForm(form, new URLSearchParams(location.search));

  function label(labels) {
    const text = labels.filter(l => l !== '').join(' / ');
    return text === '' ? 'all' : text;
  }

  async function bits(params) {
    const ablation = await dfq.getJson('/api/ablation?' + params);
    dfq.chart('bits-chart').setOption({
      tooltip: dfq.tooltip({trigger: 'axis'}),
      legend: {type: 'scroll', top: 0},
      grid: {top: 40, left: 50, right: 20, bottom: 40},
      xAxis: {type: 'category', data: ablation.settings, name: 'W/A bits', nameLocation: 'middle', nameGap: 26},
      yAxis: {type: 'value', name: 'top1 %', scale: true},
      series: ablation.rows.map(row => ({
        type: 'line', name: label(row.labels), symbolSize: 7,
        data: row.cells.map(cell => (cell && typeof cell.stat.mean === 'number'
          ? Number(cell.stat.mean.toFixed(3)) : null)),
      })),
    }, true);
  }

  async function pareto(params) {
    const points = await dfq.getJson('/api/pareto?' + params);
    const name = p => `${p.model} ${p.generator}/${p.quantizer} W${p.wbits}A${p.abits} ${p.protocol}`;
    const point = p => ({value: [p.sizeBytes / 1024, p.top1], name: name(p)});
    const front = points.filter(p => p.front).sort((a, b) => a.sizeBytes - b.sizeBytes);
    dfq.chart('pareto-chart').setOption({
      tooltip: dfq.tooltip({trigger: 'item', formatter: item =>
        `${item.name}\n${item.value[0].toFixed(1)} KiB, top1 ${item.value[1].toFixed(2)} %`}),
      legend: {top: 0},
      grid: {top: 40, left: 50, right: 30, bottom: 40},
      xAxis: {type: 'log', name: 'model size (KiB)', nameLocation: 'middle', nameGap: 26},
      yAxis: {type: 'value', name: 'top1 %', scale: true},
      series: [
        {type: 'scatter', name: 'configurations', symbolSize: 7, itemStyle: {color: '#98a2b3'},
          data: points.filter(p => !p.front).map(point)},
        {type: 'line', name: 'Pareto front', step: 'end', symbolSize: 9, itemStyle: {color: '#2f5fb3'},
          data: front.map(point)},
      ],
    }, true);
  }

  async function parallel(params) {
    const withLimit = new URLSearchParams(params);
    withLimit.set('limit', '2000');
    const trials = await dfq.getJson('/api/parallel?' + withLimit);
    const axes = trials.parameters.map((parameter, dim) => {
      const all = trials.lines.map(line => line.parameters[parameter]);
      const values = all.filter(v => v !== undefined);
      const numeric = values.length > 0 && values.every(v => v.trim() !== '' && Number.isFinite(Number(v)));
      const categories = [...new Set(values)].sort();
      if (values.length < all.length) categories.push('—');
      return numeric ? {dim, name: parameter, type: 'value', scale: true}
        : {dim, name: parameter, type: 'category', data: categories, axisLabel: {interval: 0}};
    });
    trials.metrics.forEach(metric => axes.push({dim: axes.length, name: metric, type: 'value', scale: true}));
    const data = trials.lines.map(line => [
      ...trials.parameters.map((parameter, i) => {
        const value = line.parameters[parameter];
        if (value === undefined) return axes[i].type === 'category' ? '—' : null;
        return axes[i].type === 'category' ? value : Number(value);
      }),
      ...trials.metrics.map(metric => (typeof line.metrics[metric] === 'number' ? line.metrics[metric] : null)),
    ]);
    dfq.chart('parallel-chart').setOption({
      parallel: {left: 60, right: 80, top: 50, bottom: 30},
      parallelAxis: axes,
      series: [{type: 'parallel', lineStyle: {width: 1, opacity: 0.45}, data}],
    }, true);
  }

  function load() {
    const params = dfq.formParams(form);
    history.replaceState(null, '', '?' + params);
    for (const [id, draw] of [['bits-chart', bits], ['pareto-chart', pareto], ['parallel-chart', parallel]]) {
      draw(params).catch(error => dfq.chart(id).setOption({title: {text: 'error: ' + error.message}}, true));
    }
  }

  form.addEventListener('change', load);
  load();
})();
