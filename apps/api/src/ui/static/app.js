// The live topology page (GET /ui): hosts, the networks they carry, their ports
// and HA routers, drawn from the same documents the agents read
// (/v1/hosts/{host}/l2 and /l3), refreshed when the event log moves, replayed
// through the log with the slider (?at=), and explained on click (/explain).
(() => {
  const state = { token: sessionStorage.getItem('cp-token') || '', at: null, head: 0, loading: null, again: false, hosts: new Map() };
  const $ = (id) => document.getElementById(id);
  $('token').value = state.token;

  async function get(path) {
    const res = await fetch(path, { headers: state.token ? { 'X-Auth-Token': state.token } : {} });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.json();
  }

  const cy = cytoscape({
    container: $('graph'),
    wheelSensitivity: 0.3,
    style: [
      { selector: 'node', style: { label: 'data(label)', 'font-size': 9, 'text-wrap': 'wrap', 'text-valign': 'bottom', color: '#111827' } },
      { selector: 'node.host', style: { shape: 'round-rectangle', 'background-color': '#2563eb', width: 26, height: 18 } },
      { selector: 'node.host.dead', style: { 'background-color': '#9ca3af' } },
      { selector: 'node.network', style: { shape: 'ellipse', 'background-color': '#10b981', width: 30, height: 30 } },
      { selector: 'node.port', style: { 'background-color': '#f59e0b', width: 10, height: 10, 'font-size': 7 } },
      { selector: 'node.port.down', style: { 'background-color': '#fde68a', 'border-width': 1, 'border-color': '#b45309' } },
      { selector: 'node.router', style: { shape: 'diamond', 'background-color': '#7c3aed', width: 22, height: 22 } },
      { selector: 'node.router.split', style: { 'background-color': '#dc2626' } },
      { selector: 'edge', style: { width: 1, 'line-color': '#9ca3af', 'curve-style': 'bezier', label: 'data(label)', 'font-size': 7 } },
      { selector: 'edge.member', style: { width: 2, 'line-color': '#10b981' } },
      { selector: 'edge.ha.active', style: { 'line-color': '#7c3aed', width: 2 } },
      { selector: 'edge.ha.standby', style: { 'line-style': 'dashed', 'line-color': '#a78bfa' } },
      { selector: 'edge.ha.split', style: { 'line-color': '#dc2626', width: 3 } },
      { selector: ':selected', style: { 'border-width': 3, 'border-color': '#111827' } },
    ],
  });

  /** Reads every host's documents (as of `state.at`, or now) and redraws. */
  async function load() {
    const at = state.at === null ? '' : `?at=${state.at}`;
    const [{ agents }, { networks }, { ports }] = await Promise.all([get('/v2.0/agents'), get('/v2.0/networks'), get('/v2.0/ports')]);
    const l2Agents = agents.filter((a) => a.configurations && a.configurations.tunneling_ip);
    const l3Agents = agents.filter((a) => a.agent_type === 'L3 agent');
    const l2 = await Promise.all(l2Agents.map(async (a) => [a, await get(`/v1/hosts/${encodeURIComponent(a.host)}/l2${at}`)]));
    const l3 = await Promise.all(l3Agents.map(async (a) => [a, await get(`/v1/hosts/${encodeURIComponent(a.host)}/l3${at}`)]));
    draw(l2, l3, new Map(networks.map((n) => [n.id, n])), new Map(ports.map((p) => [p.id, p])));
  }

  function draw(l2, l3, networks, livePorts) {
    const els = [];
    const seen = new Set();
    const node = (id, data, classes) => {
      if (seen.has(id)) return;
      seen.add(id);
      els.push({ group: 'nodes', data: { id, ...data }, classes });
    };
    const edge = (id, source, target, data, classes) => els.push({ group: 'edges', data: { id, source, target, ...data }, classes });
    // Which MACs some host has an FDB entry for: those ports are up (also when replaying the past).
    const upMacs = new Set();
    for (const [, doc] of l2)
      for (const net of Object.values(doc.networks)) for (const list of Object.values(net.fdb)) for (const [mac] of list) upMacs.add(mac);
    state.hosts = new Map();
    for (const [agent, doc] of l2) {
      const host = agent.host;
      const tunnel = agent.configurations.tunneling_ip;
      state.hosts.set(host, { tunnel, doc });
      node(`host:${host}`, { label: `${host}\n${tunnel}`, host }, agent.alive ? 'host' : 'host dead');
      for (const [id, net] of Object.entries(doc.networks)) {
        node(
          `net:${id}`,
          { label: `${(networks.get(id) || {}).name || id.slice(0, 8)}\n${net.network_type} ${net.segmentation_id}`, network: id },
          'network',
        );
        edge(`m:${host}:${id}`, `host:${host}`, `net:${id}`, { host, network: id, label: '' }, 'member');
      }
      for (const [id, port] of Object.entries(doc.ports)) {
        const live = livePorts.get(id);
        const up = state.at === null && live ? live.status === 'ACTIVE' : upMacs.has(port.mac_address);
        node(
          `port:${id}`,
          { label: port.fixed_ips.join(' '), port: id, host, network: port.network_id, mac: port.mac_address },
          up ? 'port' : 'port down',
        );
        edge(`p:${id}`, `port:${id}`, `host:${host}`, { label: '' }, 'port-edge');
      }
    }
    for (const [agent, doc] of l3) {
      node(`host:${agent.host}`, { label: agent.host, host: agent.host }, agent.alive ? 'host' : 'host dead');
      for (const [id, r] of Object.entries(doc.routers)) {
        if (!r.ha) continue;
        node(
          `router:${id}`,
          { label: `${r.name || id.slice(0, 8)}\nVRID ${r.vrid}`, router: id, host: agent.host },
          r.split_brain ? 'router split' : 'router',
        );
        const cls = `ha ${r.state === 'active' ? 'active' : 'standby'}${r.split_brain ? ' split' : ''}`;
        edge(`h:${id}:${agent.host}`, `router:${id}`, `host:${agent.host}`, { label: r.state }, cls);
      }
    }
    const before = new Set(cy.nodes().map((n) => n.id()));
    const changed = els.some((e) => e.group === 'nodes' && !before.has(e.data.id)) || cy.nodes().some((n) => !seen.has(n.id()));
    cy.batch(() => {
      cy.elements().remove();
      cy.add(els);
    });
    if (changed || !state.laidOut) {
      cy.layout({ name: 'cose', animate: false, randomize: !state.laidOut, nodeRepulsion: () => 9000, idealEdgeLength: () => 40 }).run();
      state.laidOut = true;
    }
    const hosts = cy.nodes('.host').length;
    const split = cy.nodes('.router.split').length;
    $('summary').textContent =
      `${hosts} hosts, ${cy.nodes('.network').length} networks, ${cy.nodes('.port').length} ports, ${cy.nodes('.router').length} HA routers${split ? `, ${split} split-brain` : ''}`;
    document.body.dataset.hosts = String(hosts);
    document.body.dataset.ports = String(cy.nodes('.port').length);
    document.body.dataset.renders = String(Number(document.body.dataset.renders || 0) + 1);
  }

  /** Coalesces: a refresh asked for while one runs happens once after it. */
  function refresh() {
    if (state.loading) {
      state.again = true;
      return;
    }
    state.loading = load()
      .catch((err) => ($('summary').textContent = `cannot read the topology: ${err.message}`))
      .finally(() => {
        state.loading = null;
        if (state.again) {
          state.again = false;
          refresh();
        }
      });
  }

  /** The log moved: live, redraw; either way the slider reaches the newest position. */
  async function poll() {
    try {
      const { events } = await get(`/v1/events?after=${state.head}&limit=1000`);
      if (events.length === 1000) {
        // Far behind (a long log at first load): catch up before drawing.
        state.head = events[events.length - 1].position;
        return void setTimeout(poll, 0);
      }
      if (events.length) {
        state.head = events[events.length - 1].position;
        $('slider').max = String(state.head);
        if (state.at === null) {
          $('slider').value = String(state.head);
          $('position').textContent = `position ${state.head}`;
          refresh();
        }
      }
    } catch {
      // The server restarting or the token expiring: the next poll tries again.
    }
    setTimeout(poll, 300);
  }

  function explain(path, title) {
    $('details').innerHTML = `<h2>${title}</h2><p>asking…</p>`;
    get(path)
      .then((x) => {
        const verdict = x.present ? '<p>present, because:</p>' : `<p class="absent">absent: ${escape(x.absent_because)}</p>`;
        const causes = x.because
          .map(
            (c) =>
              `<div class="cause">#${c.position} ${escape(c.occurred_at)}<br><b>${c.type}</b>: ${escape(c.why)}<br><small>by ${escape(c.actor)}, ${escape(c.request_id)}</small></div>`,
          )
          .join('');
        $('details').innerHTML = `<h2>${escape(title)}</h2>${verdict}${causes}`;
      })
      .catch((err) => ($('details').innerHTML = `<h2>${escape(title)}</h2><p class="absent">${escape(err.message)}</p>`));
  }
  const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

  /** Another host on the network: its document is where a port's or a host's entries are. */
  function viewerOf(network, except) {
    for (const [host, h] of state.hosts) if (host !== except && h.doc.networks[network]) return host;
    return null;
  }

  cy.on('tap', 'node.port', (e) => {
    const d = e.target.data();
    const viewer = viewerOf(d.network, d.host);
    const tunnel = (state.hosts.get(d.host) || {}).tunnel;
    if (!viewer)
      return ($('details').innerHTML =
        `<h2>port ${escape(d.port)}</h2><p>No other host is on its network: no host has an entry for it.</p>`);
    explain(
      `/v1/hosts/${encodeURIComponent(viewer)}/l2/explain?network=${d.network}&tunnel_ip=${tunnel}&mac=${d.mac}`,
      `FDB entry for ${d.mac} on ${viewer}`,
    );
  });
  cy.on('tap', 'edge.member', (e) => {
    const d = e.target.data();
    const viewer = viewerOf(d.network, d.host);
    if (!viewer) return ($('details').innerHTML = `<h2>${escape(d.host)}</h2><p>The only host on this network.</p>`);
    const tunnel = state.hosts.get(d.host).tunnel;
    explain(
      `/v1/hosts/${encodeURIComponent(viewer)}/l2/explain?network=${d.network}&tunnel_ip=${tunnel}`,
      `flood entry ${tunnel} on ${viewer}`,
    );
  });
  cy.on('tap', 'node.router', (e) => {
    const d = e.target.data();
    explain(`/v1/hosts/${encodeURIComponent(d.host)}/l3/explain?router=${d.router}`, `router ${d.label.split('\n')[0]} on ${d.host}`);
  });

  $('slider').addEventListener('input', () => {
    state.at = Number($('slider').value);
    $('mode').textContent = 'past';
    $('mode').className = 'past';
    $('position').textContent = `position ${state.at}`;
    refresh();
  });
  $('live').addEventListener('click', () => {
    state.at = null;
    $('mode').textContent = 'live';
    $('mode').className = 'live';
    $('slider').value = String(state.head);
    refresh();
  });
  $('token').addEventListener('change', () => {
    state.token = $('token').value.trim();
    sessionStorage.setItem('cp-token', state.token);
    refresh();
  });

  window.cpTopology = cy;
  refresh();
  poll();
})();
