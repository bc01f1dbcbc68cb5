/* The status page's charts: one uPlot per figure, fed with points of the last 15 minutes. */
'use strict'

;(function () {
  const COLORS = ['#1f6feb', '#d4541b', '#1a7f37', '#8250df', '#bf8700', '#0a7b83', '#cf222e', '#57606a']

  function bytes(n) {
    if (n == null || !isFinite(n)) return '–'
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
    let i = 0
    let v = Math.abs(n)
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024
      i++
    }
    return (n < 0 ? '-' : '') + (i === 0 ? String(Math.round(v)) : v.toFixed(v < 10 ? 1 : 0)) + ' ' + units[i]
  }

  /** Chart definitions: series names, how a host or agent point gives their values, the axis. */
  function definitions(cores) {
    const tcpMain = ['established', 'listen', 'time_wait', 'close_wait']
    return {
      cpu: { source: 'host', series: ['busy'], values: (p) => [p.cpuPercent], max: 100 },
      cores: {
        source: 'host',
        series: Array.from({ length: cores }, (_, i) => 'cpu' + i),
        values: (p) => Array.from({ length: cores }, (_, i) => p.corePercent[i] ?? null),
        max: 100,
      },
      memory: {
        source: 'host',
        series: ['used', 'total'],
        values: (p) => [p.memoryUsedBytes, p.memoryTotalBytes],
        format: bytes,
      },
      load: { source: 'host', series: ['1m', '5m', '15m'], values: (p) => [p.load1, p.load5, p.load15] },
      disk: {
        source: 'host',
        series: ['read', 'write'],
        values: (p) => [p.diskReadBytesPerSecond, p.diskWriteBytesPerSecond],
        format: bytes,
      },
      network: {
        source: 'host',
        series: ['receive', 'transmit'],
        values: (p) => [p.networkRxBytesPerSecond, p.networkTxBytesPerSecond],
        format: bytes,
      },
      tcp: {
        source: 'host',
        series: tcpMain.concat(['other']),
        values: (p) => {
          const main = tcpMain.map((s) => p.tcp[s] || 0)
          let other = 0
          for (const [s, n] of Object.entries(p.tcp)) if (!tcpMain.includes(s)) other += n
          return main.concat([other])
        },
      },
      buffer: {
        source: 'agent',
        series: ['batches', 'bytes'],
        values: (p) => [p.bufferBatches, p.bufferBytes],
        bytesOnRight: true,
      },
    }
  }

  function makeChart(el, def) {
    const width = Math.max(300, el.clientWidth - 24)
    const series = [{}].concat(
      def.series.map((name, i) => ({
        label: name,
        stroke: COLORS[i % COLORS.length],
        width: 1.5,
        scale: def.bytesOnRight && i === 1 ? 'bytes' : 'y',
        value: (_u, v) =>
          v == null ? '–' : def.format || (def.bytesOnRight && i === 1) ? bytes(v) : +v.toFixed(2),
      })),
    )
    const axes = [
      {},
      { scale: 'y', size: 60, values: (_u, ticks) => ticks.map((v) => (def.format ? bytes(v) : v)) },
    ]
    if (def.bytesOnRight)
      axes.push({ scale: 'bytes', side: 1, size: 70, grid: { show: false }, values: (_u, t) => t.map(bytes) })
    const scales = {
      x: { time: true },
      y: def.max ? { range: [0, def.max] } : { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
    }
    if (def.bytesOnRight) scales.bytes = { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] }
    const data = [[]].concat(def.series.map(() => []))
    const opts = {
      width,
      height: 180,
      series,
      axes,
      scales,
      legend: { live: false },
      hooks: { draw: [(u) => el.setAttribute('data-drawn', String(u.data[0].length))] },
    }
    const plot = new uPlot(opts, data, el)
    return { plot, data, def }
  }

  /** Creates every chart; `cores` sizes the per-core chart. */
  function createCharts(cores) {
    const defs = definitions(cores)
    const charts = {}
    for (const [name, def] of Object.entries(defs)) {
      const el = document.getElementById('chart-' + name)
      if (el) charts[name] = makeChart(el, def)
    }
    return {
      /** Appends a point to every chart of its source (`host` or `agent`), dropping what is older than `windowMs`. */
      add(source, point, windowMs, redraw) {
        for (const c of Object.values(charts)) {
          if (c.def.source !== source) continue
          c.data[0].push(point.t / 1000)
          c.def.values(point).forEach((v, i) => c.data[i + 1].push(v))
          const oldest = point.t / 1000 - windowMs / 1000
          while (c.data[0].length > 1 && c.data[0][0] < oldest) c.data.forEach((col) => col.shift())
          if (redraw !== false) c.plot.setData(c.data)
        }
      },
      redrawAll() {
        for (const c of Object.values(charts)) c.plot.setData(c.data)
      },
    }
  }

  window.TfoCharts = { createCharts, bytes }
})()
