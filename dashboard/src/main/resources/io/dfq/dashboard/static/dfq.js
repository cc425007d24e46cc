'use strict';
/*
 * Shared by the dashboard's pages: DOM building in which data only ever becomes text nodes or
 * attribute values (never markup), JSON fetching with the API's error reasons, number formats and
 * ECharts set-up (tooltips drawn on the canvas, so no data is parsed as HTML there either).
 */
const dfq = (() => {
  /** An element with attributes ('text' sets textContent, 'on...' adds a listener) and children. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name === 'text') node.textContent = String(value);
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Removes every child of a node. */
  function clear(node) {
    node.replaceChildren();
    return node;
  }

  /** GETs JSON; a non-2xx answer throws an Error with the API's reason. */
  async function getJson(url) {
    const response = await fetch(url, {headers: {Accept: 'application/json'}});
    const body = await response.json().catch(() => ({reason: response.statusText}));
    if (!response.ok) throw new Error(body.reason || ('HTTP ' + response.status));
    return body;
  }

  function fixed(value, digits) {
    return typeof value === 'number' ? value.toFixed(digits) : '';
  }

  /** "mean ± std" of a {mean, std} statistic (the mean alone for one seed). */
  function stat(s, digits = 2) {
    if (!s || typeof s.mean !== 'number') return '';
    return typeof s.std === 'number' ? fixed(s.mean, digits) + ' ± ' + fixed(s.std, digits) : fixed(s.mean, digits);
  }

  /** A byte count as B, KiB or MiB. */
  function bytes(size) {
    if (typeof size !== 'number') return '';
    if (size < 1024) return size.toFixed(0) + ' B';
    if (size < 1024 * 1024) return (size / 1024).toFixed(1) + ' KiB';
    return (size / 1024 / 1024).toFixed(2) + ' MiB';
  }

  /** Seconds as s or m:ss. */
  function duration(seconds) {
    if (typeof seconds !== 'number') return '';
    if (seconds < 60) return seconds.toFixed(1) + ' s';
    const s = Math.round(seconds);
    return Math.floor(s / 60) + ' min ' + String(s % 60).padStart(2, '0') + ' s';
  }

  /** The non-empty named controls of a form as query parameters. */
  function formParams(form) {
    const params = new URLSearchParams();
    for (const control of form.elements) {
      if (control.name && control.value !== '') params.set(control.name, control.value);
    }
    return params;
  }

  /** Puts the URL's query parameters into the form's controls (adding a missing select option). */
  function restoreForm(form, params) {
    for (const control of form.elements) {
      if (!control.name || !params.has(control.name)) continue;
      const value = params.get(control.name);
      if (control.tagName === 'SELECT' && ![...control.options].some(o => o.value === value)) {
        control.append(el('option', {value, text: value}));
      }
      control.value = value;
    }
  }

  /** Replaces a select's options by "any" and the given values, keeping its selection. */
  function fillSelect(select, values, any) {
    const selected = select.value;
    clear(select).append(el('option', {value: '', text: any}));
    const all = values.includes(selected) || selected === '' ? values : [selected, ...values];
    for (const value of all) select.append(el('option', {value, text: value}));
    select.value = selected;
  }

  const charts = [];
  window.addEventListener('resize', () => charts.forEach(c => c.resize()));

  /** An ECharts instance on the element with this id (the same instance on later calls). */
  function chart(id) {
    const node = document.getElementById(id);
    const existing = echarts.getInstanceByDom(node);
    if (existing) return existing;
    const created = echarts.init(node, null, {renderer: 'canvas'});
    charts.push(created);
    return created;
  }

  /** Tooltip options that render on the canvas: no HTML, so no data is ever parsed as markup. */
  function tooltip(extra) {
    return Object.assign({renderMode: 'richText', confine: true}, extra || {});
  }

  /**
   * Follows the live feed: listeners by event name; a refused or broken stream (the server has a
   * bounded number of live clients) is opened again after a few seconds.
   */
  function live(listeners) {
    let source = null;
    function connect() {
      source = new EventSource('/api/events');
      for (const [name, listener] of Object.entries(listeners)) {
        source.addEventListener(name, event => listener(JSON.parse(event.data)));
      }
      source.addEventListener('error', () => {
        if (source.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
      });
    }
    connect();
    window.addEventListener('pagehide', () => source.close());
  }

  return {el, clear, getJson, stat, bytes, duration, formParams, restoreForm, fillSelect, chart, tooltip, live};
})();
