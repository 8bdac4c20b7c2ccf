// Alerts, newest first, filtered by status: what moved, by how much, what lines up with it, and acknowledge /
// resolve (with the admin key set in the header). Each alert opens the node page at its time range.
import {
  startPage, getJson, escapeHtml, formatNumber, formatPercent, formatTime, alertLink, showError,
  alertExplanation, alertActions, wireAlertActions, statusBadge, kindName,
} from "./common.js";

const Statuses = ["open", "acknowledged", "resolved", "all"];

await startPage();
const params = new URLSearchParams(location.search);
const status = Statuses.includes(params.get("status")) ? params.get("status") : "open";
try {
  await render();
} catch (error) {
  showError(error);
}

async function render() {
  const [{ alerts }, metrics] = await Promise.all([
    getJson(status === "all" ? "/v1/alerts" : `/v1/alerts?status=${status}`),
    getJson("/v1/metrics"),
  ]);
  const byKey = new Map(metrics.map(m => [m.key, m]));
  const app = document.getElementById("app");
  app.innerHTML = `
    <div class="page-head">
      <h1>Alerts</h1>
      <div class="picker">${Statuses.map(s => `<a href="?status=${s}" class="${s === status ? "current" : ""}">${s}</a>`).join("")}</div>
    </div>
    ${alerts.length ? "" : `<p>No ${status === "all" ? "" : status} alerts.</p>`}
    <table class="alerts">
      <thead><tr><th>Metric</th><th>Kind</th><th class="num">Change</th><th class="num">Value (expected)</th><th>Since</th><th>Deployment</th><th>Status</th><th>Slack</th><th></th></tr></thead>
      <tbody>${ordered(alerts).map(a => row(a, byKey.get(a.metric))).join("")}</tbody>
    </table>`;
  app.querySelectorAll("button[data-explain]").forEach(button => button.addEventListener("click", () => {
    const detail = app.querySelector(`tr[data-detail="${button.dataset.explain}"]`);
    detail.hidden = !detail.hidden;
    button.textContent = detail.hidden ? "Why?" : "Hide";
  }));
  wireAlertActions(app, () => location.reload());
}

/** Newest first, each alert followed by the alerts attached to it (a child metric or segment that moved with it). */
function ordered(alerts) {
  const ids = new Set(alerts.map(a => a.id));
  const top = alerts.filter(a => !a.parentAlertId || !ids.has(a.parentAlertId));
  return top.flatMap(a => [a, ...alerts.filter(c => c.parentAlertId === a.id)]);
}

function row(alert, metric) {
  const d = alert.deployments?.[0];
  const attached = alert.parentAlertId ? "attached" : "";
  return `<tr data-alert="${alert.id}" class="dir-${alert.direction} ${attached}">
      <td>${attached ? `<span class="branch">↳</span>` : ""}<a href="${alertLink(alert, metric?.grain)}">${escapeHtml(metric?.name ?? alert.metric)}</a>
        <div class="muted key">${escapeHtml(alert.metric)}${alert.segment ? ` · ${escapeHtml(alert.segment)}` : ""}${attached ? " · attached to the alert above" : ""}</div></td>
      <td class="${alert.direction}">${escapeHtml(kindName(alert.kind))}</td>
      <td class="num ${alert.direction}">${formatPercent(alert.relativeChange)}</td>
      <td class="num">${formatNumber(alert.value, metric?.kind)} <span class="muted">(${formatNumber(alert.expectedLow, metric?.kind)} – ${formatNumber(alert.expectedHigh, metric?.kind)})</span></td>
      <td class="nowrap">${formatTime(alert.changeAt)}</td>
      <td>${d ? `${escapeHtml(d.service)} ${escapeHtml(d.version)} <span class="muted">+${d.lagMinutes} min</span>` : `<span class="muted">none</span>`}</td>
      <td>${statusBadge(alert.status)}</td>
      <td class="muted">${escapeHtml(alert.slack?.state ?? "")}</td>
      <td class="nowrap"><button type="button" class="link" data-explain="${alert.id}">Why?</button> ${alertActions(alert)}</td>
    </tr>
    <tr data-detail="${alert.id}" class="detail" hidden><td colspan="9">${alertExplanation(alert, metric)}</td></tr>`;
}
