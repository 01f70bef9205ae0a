// Eddy's dashboard: plain JavaScript over the REST API of the node that served it. It polls every second; every
// request carries the bearer token kept in sessionStorage, and a 401 asks for the token (once, until it is given).
'use strict';

const POLL_MILLIS = 1000;
const TOKEN_KEY = 'eddy.token';
const SVG_NS = 'http://www.w3.org/2000/svg';

const view = {
  selected: null,      // id of the job shown in detail
  asking: false,       // the token dialog is open: polling waits for it
  declined: false,     // the user closed the token dialog: no more asking until the Token button
  inFlight: false,     // a poll is under way
  again: false,        // poll again as soon as the one under way ends
  timer: null,
  lastJob: null,       // the selected job as last read
};

const $ = (id) => document.getElementById(id);

// ---- the REST API

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) {
    headers['Authorization'] = 'Bearer ' + token;
  }
  const init = { method, headers, cache: 'no-store' };
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body || {});
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = { error: text };
  }
  if (response.status === 401) {
    if (!view.declined) {
      askForToken(token ? 'The token was refused; enter another.' : 'This cluster\'s REST API needs a token.');
    }
    throw new HttpError(401, 'the REST API needs a token (button "Token")');
  }
  if (!response.ok) {
    throw new HttpError(response.status, (data && data.error) || (response.status + ' ' + response.statusText));
  }
  return data;
}

function askForToken(message) {
  if (view.asking) {
    return;
  }
  view.asking = true;
  $('token-message').textContent = message;
  $('token-input').value = '';
  $('token-dialog').showModal();
  $('token-input').focus();
}

function tokenGiven(event) {
  event.preventDefault();
  const token = $('token-input').value.trim();
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
  }
  $('token-dialog').close();
  view.asking = false;
  view.declined = false;
  poll();
}

// ---- polling

async function poll() {
  if (view.inFlight) {
    view.again = true;
    return;
  }
  clearTimeout(view.timer);
  if (view.asking) {
    return; // resumes once a token is given
  }
  view.inFlight = true;
  try {
    const [nodes, jobs] = await Promise.all([api('GET', '/nodes'), api('GET', '/jobs')]);
    showCluster(nodes);
    showJobs(jobs);
    if (view.selected) {
      const id = encodeURIComponent(view.selected);
      const [job, vertices, checkpoints] = await Promise.all([
        api('GET', '/jobs/' + id), api('GET', '/jobs/' + id + '/vertices'), api('GET', '/jobs/' + id + '/checkpoints')]);
      showJob(job, vertices, checkpoints);
    }
    $('error').hidden = true;
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    $('error').textContent = 'cannot read the REST API: ' + e.message;
    $('error').hidden = false;
  } finally {
    view.inFlight = false;
  }
  if (!view.asking) {
    view.timer = setTimeout(poll, view.again ? 0 : POLL_MILLIS);
    view.again = false;
  }
}

// ---- cluster and job list

function showCluster(nodes) {
  $('node-count').textContent = String(nodes.length);
  $('slots-total').textContent = String(nodes.reduce((s, n) => s + (n.slots || 0), 0));
  $('slots-used').textContent = String(nodes.reduce((s, n) => s + (n.usedSlots || 0), 0));
  const leader = nodes.find((n) => n.leader);
  $('leader').textContent = leader ? leader.id : 'none';
  const body = $('nodes').tBodies[0];
  body.replaceChildren(...nodes.map((n) => row([n.id, n.host, n.httpPort, n.slots, n.usedSlots, n.leader ? 'leader' : ''],
    { 'data-node': n.id })));
}

function showJobs(jobs) {
  $('no-jobs').hidden = jobs.length > 0;
  // rows are kept and updated in place, so a row stays the same element while it is being clicked
  const body = $('job-list').tBodies[0];
  const existing = new Map([...body.rows].map((tr) => [tr.getAttribute('data-job'), tr]));
  const rows = jobs.map((j) => {
    const cells = [j.name, j.id, j.state, j.parallelism, uptime(j), metric(j, 'restarts'), metric(j, 'checkpoints.completed')];
    let tr = existing.get(j.id);
    if (tr) {
      cells.forEach((c, i) => {
        const text = c === undefined || c === null ? '' : String(c);
        if (tr.cells[i].textContent !== text) {
          tr.cells[i].textContent = text;
        }
      });
    } else {
      tr = row(cells, { 'data-job': j.id, 'class': 'clickable' });
      tr.addEventListener('click', () => select(j.id));
    }
    tr.cells[2].className = 'state ' + j.state;
    tr.classList.toggle('selected', j.id === view.selected);
    return tr;
  });
  rows.forEach((tr, i) => {
    if (body.rows[i] !== tr) {
      body.insertBefore(tr, body.rows[i] || null);
    }
  });
  while (body.rows.length > rows.length) {
    body.deleteRow(rows.length);
  }
  if (!view.selected && jobs.length === 1) {
    select(jobs[0].id);
  }
}

function select(id) {
  if (view.selected !== id) {
    view.selected = id;
    view.lastJob = null;
    $('action-result').textContent = '';
    $('cancel-confirm').hidden = true;
    history.replaceState(null, '', '#job=' + encodeURIComponent(id));
    poll();
  }
}

// ---- one job

function showJob(job, vertices, checkpoints) {
  const first = !view.lastJob || view.lastJob.id !== job.id;
  view.lastJob = job;
  $('job').hidden = false;
  $('job-name').textContent = job.name;
  $('job-id').textContent = job.id;
  $('job-state').textContent = job.state;
  $('job-state').className = 'state ' + job.state;
  $('job-parallelism').textContent = job.parallelism === job.desiredParallelism
    ? String(job.parallelism) : job.parallelism + ' (wants ' + job.desiredParallelism + ')';
  $('job-uptime').textContent = uptime(job);
  $('job-restarts').textContent = String(metric(job, 'restarts'));
  $('job-attempt').textContent = String(job.attempt);
  showOptional($('job-reason'), job.reason ? 'waiting: ' + job.reason : null);
  showOptional($('job-error'), job.error ? 'error: ' + job.error : null);
  const running = job.state === 'RUNNING';
  for (const b of ['action-savepoint', 'action-rescale', 'action-cancel', 'action-cancel-yes']) {
    $(b).disabled = !running;
  }
  if (first) {
    $('rescale-parallelism').value = String(job.parallelism);
  }
  drawGraph(vertices);
  showVertices(vertices);
  showCheckpoints(checkpoints);
}

function showOptional(element, text) {
  element.hidden = !text;
  element.textContent = text || '';
}

function showVertices(vertices) {
  const body = $('vertices').tBodies[0];
  body.replaceChildren(...vertices.map((v) => {
    const tr = row([v.name, v.parallelism, rate(v.recordsInPerSecond), rate(v.recordsOutPerSecond),
      count(v.recordsIn), count(v.recordsOut), percent(v.backPressure), lag(v), millis(v.alignmentMillis),
      v.stateBytes === undefined ? '\u2013' : bytes(v.stateBytes)],
    { 'data-vertex': v.id });
    tr.cells[0].className = 'vertex-name';
    tr.cells[1].className = 'vertex-parallelism';
    return tr;
  }));
}

function showCheckpoints(c) {
  $('checkpoint-count').textContent = String(c.completed);
  $('checkpoint-failed').textContent = String(c.failed);
  if (c.lastFailure) {
    showOptional($('last-failure'), 'Last failure: checkpoint ' + c.lastFailure.id + ' at '
      + new Date(c.lastFailure.failedAt).toLocaleTimeString() + ': ' + c.lastFailure.reason);
  } else {
    showOptional($('last-failure'), null);
  }
  const body = $('checkpoints').tBodies[0];
  body.replaceChildren(...c.history.map((h) => {
    const tr = row([h.id, h.kind, h.status, new Date(h.startedAt).toLocaleTimeString(),
      h.status === 'COMPLETED' ? millis(h.durationMillis) : '', h.status === 'COMPLETED' ? bytes(h.sizeBytes) : '',
      h.status === 'COMPLETED' ? millis(h.alignmentMillis) : '', h.path || h.reason || ''],
    { 'data-checkpoint': h.id, 'data-kind': h.kind });
    tr.cells[2].className = 'state ' + h.status;
    return tr;
  }));
}

// ---- the graph: vertices in columns by their distance from the sources, edges as curves

function drawGraph(vertices) {
  const svg = $('graph');
  const byId = new Map(vertices.map((v) => [v.id, v]));
  const level = new Map();
  const levelOf = (v, seen) => {
    if (level.has(v.id)) {
      return level.get(v.id);
    }
    if (seen.has(v.id)) {
      return 0; // a cycle cannot happen in a job graph; stay finite anyway
    }
    seen.add(v.id);
    let l = 0;
    for (const i of v.inputs || []) {
      const from = byId.get(i.vertex);
      if (from) {
        l = Math.max(l, levelOf(from, seen) + 1);
      }
    }
    level.set(v.id, l);
    return l;
  };
  vertices.forEach((v) => levelOf(v, new Set()));
  const columns = [];
  vertices.forEach((v) => {
    const l = level.get(v.id);
    (columns[l] = columns[l] || []).push(v);
  });
  const W = 250, H = 104, GX = 70, GY = 24, PAD = 12;
  const pos = new Map();
  columns.forEach((col, c) => col.forEach((v, r) => pos.set(v.id, { x: PAD + c * (W + GX), y: PAD + r * (H + GY) })));
  const rows = Math.max(1, ...columns.map((col) => col.length));
  svg.setAttribute('width', String(PAD * 2 + columns.length * (W + GX) - GX));
  svg.setAttribute('height', String(PAD * 2 + rows * (H + GY) - GY));
  svg.replaceChildren();
  const defs = el('defs');
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '8',
    markerHeight: '8', orient: 'auto-start-reverse' });
  marker.appendChild(el('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }));
  defs.appendChild(marker);
  svg.appendChild(defs);
  for (const v of vertices) {
    for (const i of v.inputs || []) {
      const a = pos.get(i.vertex), b = pos.get(v.id);
      if (!a || !b) {
        continue;
      }
      const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2, mx = (x1 + x2) / 2;
      svg.appendChild(el('path', { d: `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`, class: 'edge',
        'marker-end': 'url(#arrow)' }));
      svg.appendChild(text(mx, (y1 + y2) / 2 - 6, i.partitioning, 'edge-label'));
    }
  }
  for (const v of vertices) {
    const p = pos.get(v.id);
    const g = el('g', { class: 'vertex ' + pressureClass(v.backPressure), 'data-vertex-id': String(v.id),
      transform: `translate(${p.x},${p.y})` });
    g.appendChild(el('rect', { width: String(W), height: String(H), rx: '6' }));
    const title = el('title');
    title.textContent = v.name;
    g.appendChild(title);
    g.appendChild(text(10, 20, clip(v.name, 34), 'vertex-name'));
    g.appendChild(text(W - 10, 20, '\u00d7' + v.parallelism, 'vertex-parallelism', 'end'));
    g.appendChild(text(10, 42, 'in ' + rate(v.recordsInPerSecond) + '/s   out ' + rate(v.recordsOutPerSecond) + '/s',
      'vertex-rates'));
    g.appendChild(text(10, 62, 'back-pressure ' + percent(v.backPressure), 'vertex-pressure'));
    g.appendChild(text(10, 82, 'watermark lag ' + lag(v), 'vertex-lag'));
    const barWidth = Math.round((W - 20) * Math.min(1, v.backPressure || 0));
    g.appendChild(el('rect', { x: '10', y: String(H - 12), width: String(W - 20), height: '4', class: 'bar-bg' }));
    g.appendChild(el('rect', { x: '10', y: String(H - 12), width: String(barWidth), height: '4', class: 'bar' }));
    svg.appendChild(g);
  }
}

function pressureClass(share) {
  if (share === undefined || share === null) {
    return 'unknown';
  }
  return share >= 0.5 ? 'high' : share >= 0.1 ? 'medium' : 'low';
}

function el(name, attributes) {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attributes || {})) {
    e.setAttribute(k, v);
  }
  return e;
}

function text(x, y, content, cls, anchor) {
  const t = el('text', { x: String(x), y: String(y), class: cls });
  if (anchor) {
    t.setAttribute('text-anchor', anchor);
  }
  t.textContent = content;
  return t;
}

function clip(s, n) {
  return s.length <= n ? s : s.slice(0, n - 1) + '\u2026';
}

// ---- actions: the REST API's own endpoints; each says what it did or why not

async function act(what, method, path, body) {
  const result = $('action-result');
  result.className = 'muted';
  result.textContent = what + '\u2026';
  try {
    const answer = await api(method, path, body);
    result.className = 'ok';
    result.textContent = describeAnswer(what, answer);
  } catch (e) {
    result.className = 'error';
    result.textContent = what + ' failed: ' + e.message;
  }
  poll();
}

function describeAnswer(what, answer) {
  if (answer && answer.savepoint) {
    return 'savepoint taken: ' + answer.savepoint;
  }
  if (answer && answer.parallelism) {
    return 'rescaling to ' + answer.parallelism;
  }
  if (answer && answer.canceled) {
    return 'canceled';
  }
  return what + ' done';
}

function jobPath(suffix) {
  return '/jobs/' + encodeURIComponent(view.selected) + suffix;
}

function wireActions() {
  $('action-savepoint').addEventListener('click', () => act('savepoint', 'POST', jobPath('/savepoints'), {}));
  $('action-rescale').addEventListener('click', () => {
    const p = Number($('rescale-parallelism').value);
    if (!Number.isInteger(p) || p < 1) {
      $('action-result').className = 'error';
      $('action-result').textContent = 'parallelism: a positive whole number, please';
      return;
    }
    act('rescale', 'POST', jobPath('/rescale?parallelism=' + p), {});
  });
  $('action-cancel').addEventListener('click', () => {
    $('cancel-confirm').hidden = false;
  });
  $('action-cancel-no').addEventListener('click', () => {
    $('cancel-confirm').hidden = true;
  });
  $('action-cancel-yes').addEventListener('click', () => {
    $('cancel-confirm').hidden = true;
    act('cancel', 'POST', jobPath('/cancel'), {});
  });
  $('token-form').addEventListener('submit', tokenGiven);
  $('token-open').addEventListener('click', () => {
    clearTimeout(view.timer);
    askForToken('Bearer token for this cluster\'s REST API.');
  });
  $('token-clear').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    $('token-input').value = '';
  });
  $('token-dialog').addEventListener('cancel', () => {
    view.asking = false;
    view.declined = true;
    poll();
  });
}

// ---- formatting

function row(cells, attributes) {
  const tr = document.createElement('tr');
  for (const [k, v] of Object.entries(attributes || {})) {
    tr.setAttribute(k, v);
  }
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = c === undefined || c === null ? '' : String(c);
    tr.appendChild(td);
  }
  return tr;
}

function metric(job, name) {
  const m = job.metrics || {};
  return m[name] === undefined ? 0 : m[name];
}

function uptime(job) {
  if (!job.submittedAt) {
    return '';
  }
  const end = job.endedAt || Date.now();
  return duration(Math.max(0, end - job.submittedAt));
}

function duration(ms) {
  const s = Math.floor(ms / 1000);
  if (s < 60) {
    return s + ' s';
  }
  const m = Math.floor(s / 60);
  if (m < 60) {
    return m + ' min ' + (s % 60) + ' s';
  }
  const h = Math.floor(m / 60);
  if (h < 48) {
    return h + ' h ' + (m % 60) + ' min';
  }
  return Math.floor(h / 24) + ' d ' + (h % 24) + ' h';
}

function rate(r) {
  return r === undefined || r === null ? '\u2013' : count(Math.round(r));
}

function count(n) {
  if (n === undefined || n === null) {
    return '\u2013';
  }
  if (n >= 1e9) {
    return (n / 1e9).toFixed(1) + ' G';
  }
  if (n >= 1e6) {
    return (n / 1e6).toFixed(1) + ' M';
  }
  if (n >= 1e4) {
    return (n / 1e3).toFixed(1) + ' k';
  }
  return String(n);
}

function percent(share) {
  return share === undefined || share === null ? '\u2013' : Math.round(share * 100) + ' %';
}

function millis(ms) {
  if (ms === undefined || ms === null) {
    return '\u2013';
  }
  return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
}

function lag(v) {
  if (v.watermarkLagMillis === undefined) {
    return 'no watermark';
  }
  return v.watermarkLagMillis < 60000 ? millis(v.watermarkLagMillis) : duration(v.watermarkLagMillis);
}

function bytes(n) {
  if (n >= 1 << 30) {
    return (n / (1 << 30)).toFixed(1) + ' GiB';
  }
  if (n >= 1 << 20) {
    return (n / (1 << 20)).toFixed(1) + ' MiB';
  }
  if (n >= 1 << 10) {
    return (n / (1 << 10)).toFixed(1) + ' KiB';
  }
  return n + ' B';
}

// ---- start

document.addEventListener('DOMContentLoaded', () => {
  wireActions();
  const m = /#job=([^&]+)/.exec(location.hash);
  if (m) {
    view.selected = decodeURIComponent(m[1]);
  }
  poll();
});
