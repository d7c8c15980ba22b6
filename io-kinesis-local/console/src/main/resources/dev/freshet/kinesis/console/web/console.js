// Freshet console: shared helpers for the pages (no framework, no build step).
'use strict';

const Console = (() => {
  const API = '/console/api';

  async function api(path, options) {
    const response = await fetch(API + path, options);
    const text = await response.text();
    let body;
    try { body = text ? JSON.parse(text) : {}; } catch (e) { body = { error: text }; }
    if (!response.ok) {
      const error = new Error(body.error || ('HTTP ' + response.status));
      error.status = response.status;
      error.body = body;
      throw error;
    }
    return body;
  }

  function post(path, body) {
    return api(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  }

  // el('td', {class: 'num'}, 'text', childNode, ...)
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on')) node.addEventListener(key.substring(2), value);
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function svg(tag, attributes, ...children) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    for (const child of children.flat()) {
      if (child === undefined || child === null) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function table(headers, rows) {
    return el('table', {},
      el('thead', {}, el('tr', {}, headers.map(h => el('th', { class: h.num ? 'num' : null }, h.label || h)))),
      el('tbody', {}, rows));
  }

  function pill(text) {
    return el('span', { class: 'pill ' + text }, text);
  }

  function time(millis) {
    if (!millis && millis !== 0) return '—';
    return new Date(millis).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }

  function number(value, digits) {
    if (value === undefined || value === null) return '—';
    return Number(value).toLocaleString('en-US', { maximumFractionDigits: digits === undefined ? 1 : digits });
  }

  function bytes(value) {
    if (value === undefined || value === null) return '—';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = value, u = 0;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return (u === 0 ? v : v.toFixed(1)) + ' ' + units[u];
  }

  function param(name) {
    return new URLSearchParams(location.search).get(name);
  }

  function showError(target, error) {
    target.replaceChildren(el('p', { class: 'error' }, String(error.message || error)));
  }

  // A line chart of series [{label, cls, color, values: [number]}] over times [millis], hand-written SVG.
  function lineChart(series, times, height) {
    const width = 600, h = height || 120, left = 42, bottom = 16, top = 8;
    const all = series.flatMap(s => s.values);
    const max = Math.max(1, ...all);
    const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${h}` });
    const y = v => top + (h - top - bottom) * (1 - v / max);
    const n = Math.max(2, times.length);
    const x = i => left + (width - left - 4) * (i / (n - 1));
    chart.append(svg('line', { x1: left, y1: y(0), x2: width, y2: y(0), stroke: '#d9dee7' }));
    chart.append(svg('line', { x1: left, y1: y(max), x2: width, y2: y(max), stroke: '#eef1f5' }));
    chart.append(svg('text', { x: 2, y: y(max) + 4 }, number(max)));
    chart.append(svg('text', { x: 2, y: y(0) }, '0'));
    if (times.length > 0) {
      chart.append(svg('text', { x: left, y: h - 2 }, time(times[0]).substring(11)));
      chart.append(svg('text', { x: width - 60, y: h - 2 }, time(times[times.length - 1]).substring(11)));
    }
    for (const s of series) {
      if (s.values.length === 0) continue;
      const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      chart.append(svg('polyline', { points, fill: 'none', stroke: s.color, 'stroke-width': 1.6, 'vector-effect': 'non-scaling-stroke' }));
    }
    return chart;
  }

  function ratesChart(points) {
    const times = points.map(p => p.millis);
    return el('div', {},
      el('div', { class: 'legend' },
        el('span', { class: 'in' }, '■ incoming records/s'), el('span', { class: 'out' }, '■ outgoing records/s')),
      lineChart([
        { values: points.map(p => p.incoming), color: '#1f6feb' },
        { values: points.map(p => p.outgoing), color: '#e8590c' }], times));
  }

  // Header with the navigation, marking the current page.
  function header(active) {
    const pages = [['index.html', 'Streams'], ['firehose.html', 'Delivery streams'], ['sql.html', 'SQL'], ['video.html', 'Video']];
    document.body.prepend(el('header', {},
      el('span', { class: 'brand' }, 'Freshet console'),
      el('nav', {}, pages.map(([href, label]) => el('a', { href, class: href === active ? 'active' : null }, label)))));
  }

  function poll(fn, millis) {
    const run = async () => {
      try { await fn(); } catch (e) { console.error(e); }
      setTimeout(run, millis);
    };
    run();
  }

  return { api, post, el, svg, table, pill, time, number, bytes, param, showError, lineChart, ratesChart, header, poll };
})();
