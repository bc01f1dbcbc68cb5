/* The status page: reads /events (server-sent events) and fills the page; no other source. */
'use strict'

;(function () {
  const { createCharts, bytes } = window.TfoCharts
  const token = new URLSearchParams(location.search).get('token')
  const withToken = (path) => (token ? path + '?token=' + encodeURIComponent(token) : path)
  const $ = (id) => document.getElementById(id)
  let charts
  let processHint = ''
  let cores = -1
  let windowMs = 15 * 60 * 1000
  const history = { host: [], agent: [] }

  function text(id, value) {
    const el = $(id)
    if (el) el.textContent = value
  }

  function setState(id, state) {
    const el = $(id)
    el.textContent = state
    el.className = 'state ' + state
  }

  function ago(ms) {
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000))
    if (s < 60) return s + ' s ago'
    if (s < 3600) return Math.round(s / 60) + ' min ago'
    return Math.round(s / 3600) + ' h ago'
  }

  function rows(tbody, list, cells) {
    tbody.replaceChildren(
      ...list.map((item) => {
        const tr = document.createElement('tr')
        for (const [value, cls] of cells(item)) {
          const td = document.createElement('td')
          td.textContent = value
          if (cls) td.className = cls
          tr.appendChild(td)
        }
        return tr
      }),
    )
  }

  function showState(sample) {
    const s = sample.state
    const seq = $('seq')
    seq.textContent = String(sample.seq)
    seq.setAttribute('data-value', String(sample.seq))
    text('updated', new Date(sample.t).toLocaleTimeString())
    const overall = $('overall')
    overall.textContent = s.health.status
    overall.className = 'badge ' + s.health.status
    for (const el of document.querySelectorAll('[data-metric]')) {
      const value = s.metrics[el.getAttribute('data-metric')] ?? 0
      el.setAttribute('data-value', String(value))
      el.textContent = el.getAttribute('data-metric').startsWith('tfo_agent_buffer_bytes')
        ? bytes(value)
        : value.toLocaleString('en')
    }
    const reasons = Object.entries(s.dropped).map(
      ([r, d]) => r + ': ' + d.batches + ' batches, ' + d.dataPoints + ' points',
    )
    text('dropped-reasons', reasons.length ? reasons.join('; ') : 'nothing dropped')
    const last = s.health.lastSuccessfulExport
    text('last-export', last ? ago(last * 1000) : 'none yet')
    setState('collector-state', s.collector.state)
    text('collector-message', s.collector.message)
    setState('api-state', s.api.state)
    setState('heartbeat-state', s.heartbeat.state)
    const hint = s.processes.length ? [] : [{ hint: processHint }]
    rows($('processes').tBodies[0], s.processes.length ? s.processes : hint, (p) =>
      p.hint !== undefined
        ? [[p.hint]]
        : [
            [String(p.pid), 'num'],
            [p.name],
            [p.owner],
            [p.cpuPercent.toFixed(1), 'num'],
            [bytes(p.rssBytes), 'num'],
            [p.memoryPercent.toFixed(1), 'num'],
            [String(p.threads), 'num'],
          ],
    )
    rows($('checks').tBodies[0], Object.entries(s.health.checks), ([name, c]) => [
      [name],
      [c.status, 'state ' + c.status],
      [c.message],
    ])
    rows($('logs').tBodies[0], s.logs, (f) => [
      [f.path + (f.rotated ? ' (rotated)' : '')],
      [bytes(f.offset), 'num'],
      [f.sizeBytes < 0 ? '–' : bytes(f.sizeBytes), 'num'],
    ])
  }

  function onDocument(doc) {
    windowMs = doc.windowSeconds * 1000
    text('hostname', 'on ' + doc.hostname)
    text('version', doc.version)
    text('agent-id', doc.agentId)
    $('config').textContent = JSON.stringify(doc.config, null, 2)
    const processOn = doc.config && doc.config.collectors && doc.config.collectors.process.enabled
    processHint = processOn
      ? 'waiting for the process collector'
      : 'the process collector is off (collectors.process.enabled)'
    history.host = doc.host.slice()
    history.agent = doc.agent.slice()
    rebuild()
    showState(doc.latest)
  }

  /** (Re)creates the charts from the history: at the start, and when the core count becomes known. */
  function rebuild() {
    const last = history.host[history.host.length - 1]
    cores = last ? last.corePercent.length : 0
    document.querySelectorAll('.chart .uplot').forEach((el) => el.remove())
    charts = createCharts(cores)
    for (const p of history.host) charts.add('host', p, windowMs, false)
    for (const p of history.agent) charts.add('agent', p, windowMs, false)
    charts.redrawAll()
  }

  function keep(list, point) {
    list.push(point)
    while (list.length > 1 && list[0].t < point.t - windowMs) list.shift()
  }

  function onSample(sample) {
    if (!charts) return
    if (sample.host) keep(history.host, sample.host)
    keep(history.agent, sample.agent)
    if (sample.host && sample.host.corePercent.length !== cores) rebuild()
    else {
      if (sample.host) charts.add('host', sample.host, windowMs)
      charts.add('agent', sample.agent, windowMs)
    }
    showState(sample)
  }

  const events = new EventSource(withToken('events'))
  events.addEventListener('document', (e) => onDocument(JSON.parse(e.data)))
  events.addEventListener('sample', (e) => onSample(JSON.parse(e.data)))
  events.addEventListener('error', () => {
    const overall = $('overall')
    overall.textContent = 'no answer: reconnecting…'
    overall.className = 'badge gone'
  })
})()
