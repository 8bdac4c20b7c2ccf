// One node of the tree: an interactive chart of its history (values, the expected band, trend, change points,
// anomalies, deployments; zoom with the wheel or the slider, hover for numbers), the segment, period and grain
// pickers, and the node's alerts with their explanation. /nodes/{key}?from&to&grain&segment&alert
import {
  startPage, getJson, escapeHtml, formatNumber, formatPercent, formatTime, nodeLink, showError,
  alertExplanation, alertActions, wireAlertActions, statusBadge, kindName, judge,
} from "./common.js";
import { drawChart } from "./chart.js";

const Periods = { "24h": 1, "7d": 7, "28d": 28, "90d": 90 };
const DefaultDays = { hour: 7, day: 90, week: 728 };

await startPage();
const key = decodeURIComponent(location.pathname.split("/").filter(Boolean).at(-1));
const params = new URLSearchParams(location.search);
try {
  await render();
} catch (error) {
  showError(error);
}

async function render() {
  const metric = await getJson(`/v1/metrics/${encodeURIComponent(key)}`);
  const grain = params.get("grain") || metric.grain;
  const segment = params.get("segment") || "";
  const { from, to, period } = range(grain);
  const window = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const query = `${window}&grain=${grain}${segment ? `&segment=${encodeURIComponent(segment)}` : ""}`;
  const [series, segments, { alerts }, tree] = await Promise.all([
    getJson(`/v1/metrics/${encodeURIComponent(key)}/series?${query}&include=decomposition,changepoints,anomalies,deployments`),
    getJson(`/v1/metrics/${encodeURIComponent(key)}/segments?${window}`),
    getJson(`/v1/alerts?metric=${encodeURIComponent(key)}`),
    getJson(`/v1/metrics/${encodeURIComponent(key)}/tree`),
  ]);
  const focus = params.get("alert");
  const shown = alerts
    .filter(a => a.status !== "resolved" || a.id === focus || inRange(a.changeAt, series.from, series.to))
    .sort((a, b) => (b.id === focus) - (a.id === focus) || !!a.parentAlertId - !!b.parentAlertId || Date.parse(b.detectedAt) - Date.parse(a.detectedAt));
  // Buckets before the metric's first data are empty, not zero: the chart starts at the first value.
  const first = series.points.findIndex(p => p.value !== null && p.value !== 0);
  const leadIn = first > 0 ? series.points[first].t : null;
  series.points = first > 0 ? series.points.slice(first) : series.points;

  const app = document.getElementById("app");
  app.innerHTML = `
    <div class="page-head">
      <div>
        <div class="crumbs"><a href="/">Metric tree</a> › ${escapeHtml(metric.key)}</div>
        <h1>${escapeHtml(metric.name)} <span class="role role-${escapeHtml(metric.role)}">${escapeHtml(metric.role.replace("_", " "))}</span></h1>
        <p class="muted">${escapeHtml(metric.description ?? "")} ${metric.direction === "down" ? "Lower is better." : "Higher is better."}
          ${metric.owner ? `Owner: ${escapeHtml(metric.owner)}.` : ""}</p>
      </div>
      ${summary(series, metric)}
    </div>
    <form class="controls" id="controls">
      <label>Period ${Object.keys(Periods).map(p => `<a href="${link({ period: p })}" class="${p === period ? "current" : ""}">${p}</a>`).join("")}
        ${period ? "" : `<span class="current">${escapeHtml(formatTime(series.from))} → ${escapeHtml(formatTime(series.to))}</span>`}</label>
      <label>Grain <select name="grain">${["hour", "day", "week"].map(g => `<option ${g === grain ? "selected" : ""}>${g}</option>`).join("")}</select></label>
      <label>Segment <select name="segment"><option value="">all (${escapeHtml(metric.key)} total)</option>${segmentOptions(segments, segment)}</select></label>
    </form>
    <div id="chart" class="chart" role="img" aria-label="history of ${escapeHtml(metric.name)}"></div>
    <div id="markers" class="markers">${markerList(series, metric)}${leadIn ? `<p class="muted">No data before ${formatTime(leadIn)}.</p>` : ""}</div>
    <section>
      <h2>Alerts on this node</h2>
      <div id="alerts">${shown.length ? shown.map(a => alertCard(a, metric, focus)).join("") : `<p class="muted">No open alert, and none resolved in this range.</p>`}</div>
    </section>
    ${children(tree)}`;

  app.querySelector("#controls").addEventListener("change", event => {
    const value = event.target.value;
    location.href = event.target.name === "grain" ? link({ grain: value }) : link({ segment: value });
  });
  wireAlertActions(app, () => location.reload());
  drawChart(app.querySelector("#chart"), series, metric, shown.find(a => a.id === focus));
  app.querySelector(".alert-card.focus")?.scrollIntoView({ block: "nearest" });
}

/** from/to from the query (a Slack link), else the period (default: a week hourly, 90 days daily, two years weekly). */
function range(grain) {
  if (params.get("from") && params.get("to") && !params.get("period")) {
    return { from: params.get("from"), to: params.get("to"), period: null };
  }
  const period = Periods[params.get("period")] ? params.get("period") : null;
  const days = period ? Periods[period] : DefaultDays[grain];
  const to = completeBuckets(grain);
  return { from: new Date(to - days * 86400000).toISOString(), to: new Date(to).toISOString(), period: period ?? Object.keys(Periods).find(p => Periods[p] === days) ?? null };
}

/** The end of the last complete bucket: the current one is still filling, and would read as a drop. */
function completeBuckets(grain) {
  const day = 86400000;
  const now = Date.now();
  if (grain === "day") return Math.floor(now / day) * day;
  if (grain === "week") {
    const today = Math.floor(now / day) * day;
    return today - ((new Date(today).getUTCDay() + 6) % 7) * day;
  }
  return Math.floor(now / 3600000) * 3600000;
}

/** This page's URL with some parameters changed; choosing a period drops an explicit from/to. */
function link(changes) {
  const next = new URLSearchParams(params);
  for (const [name, value] of Object.entries(changes)) {
    if (value) next.set(name, value); else next.delete(name);
  }
  if (changes.period) {
    next.delete("from");
    next.delete("to");
  }
  return `${location.pathname}?${next}`;
}

function segmentOptions(segments, current) {
  return (segments.segments ?? [])
    .filter(s => s.dimension)
    .map(s => {
      const value = `${s.dimension}:${s.value}`;
      return `<option value="${escapeHtml(value)}" ${value === current ? "selected" : ""}>${escapeHtml(s.dimension)} = ${escapeHtml(s.value)} (${formatNumber(s.total)})</option>`;
    })
    .join("");
}

function summary(series, metric) {
  const values = series.points.map(p => p.value).filter(v => v !== null);
  if (!values.length) {
    return `<div class="summary muted">No data in this range.</div>`;
  }
  const half = Math.floor(series.points.length / 2);
  const mean = list => { const v = list.filter(x => x !== null); return v.reduce((s, x) => s + x, 0) / v.length; };
  const change = mean(series.points.slice(half).map(p => p.value)) / mean(series.points.slice(0, half).map(p => p.value)) - 1;
  const latest = [...series.points].reverse().find(p => p.value !== null);
  return `<div class="summary">
      <div><div class="muted">Last complete bucket (${escapeHtml(formatTime(latest.t))})</div><div class="big">${formatNumber(latest.value, metric.kind)}</div></div>
      <div><div class="muted">Second half of the range vs first</div><div class="big ${judge(change, metric.direction)}">${formatPercent(change)}</div></div>
    </div>`;
}

/** The markers of the chart in words, so they can be read (and found) without hovering. */
function markerList(series, metric) {
  const items = [
    ...series.deployments.map(d => `<li class="deployment">Deployment <strong>${escapeHtml(d.service)} ${escapeHtml(d.version)}</strong> (${escapeHtml(d.kind)}) at ${formatTime(d.t)}</li>`),
    ...series.changePoints.map(c => `<li class="changepoint ${escapeHtml(c.direction)}">Change point at ${formatTime(c.t)}: ${formatNumber(c.before, metric.kind)} → ${formatNumber(c.after, metric.kind)} (${formatPercent(c.relativeChange)})</li>`),
  ];
  if (series.anomalies.length) {
    items.push(`<li class="anomaly">${series.anomalies.length} ${series.anomalies.length === 1 ? "anomaly" : "anomalies"}: ${series.anomalies.slice(0, 5).map(a => formatTime(a.t)).join(", ")}${series.anomalies.length > 5 ? ", …" : ""}</li>`);
  }
  return items.length ? `<ul>${items.join("")}</ul>` : `<p class="muted">No deployment, change point or anomaly in this range.</p>`;
}

function alertCard(alert, metric, focus) {
  return `<article class="alert-card dir-${alert.direction} ${alert.parentAlertId ? "attached" : ""} ${alert.id === focus ? "focus" : ""}" data-alert="${alert.id}">
      <header>
        <strong>${escapeHtml(kindName(alert.kind))}</strong>
        ${alert.segment ? `in <a href="${nodeLink(alert.metric, { segment: alert.segment })}">${escapeHtml(alert.segment)}</a>` : ""}
        ${statusBadge(alert.status)}
        ${alert.parentAlertId ? `<span class="muted">attached to a parent alert</span>` : ""}
        ${alertActions(alert)}
      </header>
      ${alertExplanation(alert, metric)}
    </article>`;
}

function children(tree) {
  if (!tree.children?.length) {
    return "";
  }
  return `<section><h2>Children</h2><ul class="children">${tree.children.map(c =>
    `<li><a href="${nodeLink(c.key)}">${escapeHtml(c.name)}</a> <span class="role role-${escapeHtml(c.role)}">${escapeHtml(c.role.replace("_", " "))}</span> <span class="muted">${escapeHtml(c.key)}</span></li>`).join("")}</ul></section>`;
}

function inRange(t, from, to) {
  const x = Date.parse(t);
  return x >= Date.parse(from) && x < Date.parse(to);
}
