// The metric tree: each North Star down to its inputs, levers and guardrails, every node with its latest value, the
// change over the chosen period against the period before, a sparkline of the period and its alerts.
import { startPage, getJson, escapeHtml, formatNumber, formatPercent, judge, sparkline, nodeLink, formatTime, showError } from "./common.js";

const Periods = { "24h": 1, "7d": 7, "28d": 28 };
const GrainHours = { hour: 1, day: 24, week: 168 };

await startPage();
const params = new URLSearchParams(location.search);
const period = Periods[params.get("period")] ? params.get("period") : "7d";
try {
  await render();
} catch (error) {
  showError(error);
}

async function render() {
  const [metrics, { alerts }] = await Promise.all([getJson("/v1/metrics"), getJson("/v1/alerts")]);
  const byKey = new Map(metrics.map(m => [m.key, m]));
  const roots = metrics.filter(m => m.role === "north_star" || (m.parents ?? []).length === 0);
  const trees = await Promise.all(roots.map(r => getJson(`/v1/metrics/${encodeURIComponent(r.key)}/tree`)));
  const active = alerts.filter(a => a.status !== "resolved");

  const rows = [];
  for (const tree of trees) {
    walk(tree, 0, rows);
  }

  const periodLinks = Object.keys(Periods)
    .map(p => `<a href="?period=${p}" class="${p === period ? "current" : ""}">${p}</a>`)
    .join("");
  document.getElementById("app").innerHTML = `
    <div class="page-head">
      <h1>Metric tree</h1>
      <div class="picker" aria-label="period">Change over ${periodLinks}</div>
    </div>
    <p class="muted">Each row: the value of the last complete bucket, the change of the last ${period}
      against the ${period} before (complete buckets), a sparkline of the last ${period}, and open alerts.</p>
    <table class="tree">
      <thead><tr><th>Metric</th><th>Role</th><th class="num">Last complete</th><th class="num">Change</th><th>Last ${period}</th><th>Alerts</th></tr></thead>
      <tbody>${rows.map(({ node, depth }) => row(node, depth, active)).join("")}</tbody>
    </table>`;

  // Sparklines and changes load after the tree is on screen, one request per node.
  await Promise.all(rows.map(({ node }, i) => fillTrend(node, byKey.get(node.key)?.kind, i)));
}

function walk(node, depth, rows) {
  rows.push({ node, depth });
  const order = { input: 0, lever: 1, guardrail: 2 };
  const children = [...(node.children ?? [])].sort((a, b) => (order[a.role] ?? 3) - (order[b.role] ?? 3) || a.name.localeCompare(b.name));
  for (const child of children) {
    walk(child, depth + 1, rows);
  }
}

function row(node, depth, alerts) {
  const mine = alerts.filter(a => a.metric === node.key);
  const open = mine.filter(a => a.status === "open").length;
  const acknowledged = mine.length - open;
  const badge = mine.length === 0
    ? `<span class="badge ok">ok</span>`
    : `${open ? `<span class="badge alert" title="open alerts">${open} open</span>` : ""}${acknowledged ? ` <span class="badge ack" title="acknowledged alerts">${acknowledged} ack</span>` : ""}`;
  return `<tr data-key="${escapeHtml(node.key)}" class="depth-${Math.min(depth, 4)}">
      <td class="name" style="padding-left:${0.6 + depth * 1.4}rem">${depth ? `<span class="branch">└</span>` : ""}<a href="${nodeLink(node.key)}">${escapeHtml(node.name)}</a>
        <div class="muted key">${escapeHtml(node.key)} · ${escapeHtml(node.grain)} · ${node.direction === "down" ? "lower is better" : "higher is better"}</div></td>
      <td><span class="role role-${escapeHtml(node.role)}">${escapeHtml(node.role.replace("_", " "))}</span></td>
      <td class="num" data-latest>…</td>
      <td class="num change" data-change>…</td>
      <td data-spark></td>
      <td>${badge}</td>
    </tr>`;
}

async function fillTrend(node, kind, index) {
  const row = document.querySelectorAll("table.tree tbody tr")[index];
  const width = GrainHours[node.grain] * 3600000;
  const now = Date.now();
  const to = node.grain === "week" ? mondayOf(now) : Math.floor(now / width) * width;
  const span = Math.max(Periods[period] * 86400000, 2 * width);
  const from = to - 2 * span;
  try {
    const series = await getJson(`/v1/metrics/${encodeURIComponent(node.key)}/series?grain=${node.grain}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`);
    const split = to - span;
    const before = series.points.filter(p => Date.parse(p.t) < split).map(p => p.value);
    const recent = series.points.filter(p => Date.parse(p.t) >= split).map(p => p.value);
    const change = mean(recent) / mean(before) - 1;
    const latest = [...series.points].reverse().find(p => p.value !== null);
    const cell = row.querySelector("[data-latest]");
    cell.textContent = formatNumber(latest?.value, kind);
    cell.title = latest ? `last complete ${node.grain}: ${formatTime(latest.t)}` : "no data";
    const tone = judge(change, node.direction);
    row.querySelector("[data-change]").innerHTML = `<span class="${tone}">${formatPercent(change)}</span>`;
    row.querySelector("[data-spark]").innerHTML = sparkline(recent, { tone, width: 180 });
  } catch (error) {
    row.querySelector("[data-change]").textContent = "–";
    row.querySelector("[data-latest]").textContent = "–";
    row.querySelector("[data-spark]").innerHTML = `<span class="error">${escapeHtml(error.message)}</span>`;
  }
}

function mean(values) {
  const present = values.filter(v => v !== null && v !== undefined);
  return present.length ? present.reduce((s, v) => s + v, 0) / present.length : NaN;
}

function mondayOf(ms) {
  const day = new Date(Math.floor(ms / 86400000) * 86400000);
  const back = (day.getUTCDay() + 6) % 7;
  return day.getTime() - back * 86400000;
}
