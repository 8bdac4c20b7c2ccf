// Deployments (known interventions), newest first, each with its estimated effect on every metric in its scope:
// the relative change against the counterfactual with its interval, judged by the metric's direction.
import { startPage, getJson, escapeHtml, formatPercent, formatTime, judge, nodeLink, showError } from "./common.js";

const Shown = 20;

await startPage();
try {
  await render();
} catch (error) {
  showError(error);
}

async function render() {
  const [{ deployments }, metrics] = await Promise.all([getJson("/v1/deployments"), getJson("/v1/metrics")]);
  const byKey = new Map(metrics.map(m => [m.key, m]));
  const recent = deployments.slice(0, Shown);
  document.getElementById("app").innerHTML = `
    <div class="page-head"><h1>Deployments</h1></div>
    <p class="muted">Model releases, feature flags and config pushes, newest first${deployments.length > Shown ? ` (the latest ${Shown} of ${deployments.length})` : ""}.
      Impact: the change of each metric in scope after the deployment against what its history predicts, with a 95 % interval.</p>
    ${recent.length ? "" : `<p>No deployment has been recorded. Record one with <code>metricpipe deploy</code> or <code>POST /v1/deployments</code>.</p>`}
    <div class="deployments">${recent.map(card).join("")}</div>`;
  await Promise.all(recent.map(d => fillImpact(d, byKey)));
}

function card(d) {
  const scope = [
    ...(d.products ?? []).map(p => `product ${escapeHtml(p)}`),
    ...(d.metrics ?? []).map(m => `<a href="${nodeLink(m)}">${escapeHtml(m)}</a>`),
  ];
  return `<article class="deployment-card" data-deployment="${d.id}">
      <header>
        <strong>${escapeHtml(d.service)} ${escapeHtml(d.version)}</strong> <span class="kind">${escapeHtml(d.kind)}</span>
        <span class="muted">started ${formatTime(d.startedAt)}${d.endedAt ? `, ended ${formatTime(d.endedAt)}` : ""}</span>
      </header>
      ${d.description ? `<p>${escapeHtml(d.description)}</p>` : ""}
      <p class="muted">Scope: ${scope.length ? scope.join(", ") : "everything"}</p>
      <div data-impact><p class="muted">Estimating impact…</p></div>
    </article>`;
}

async function fillImpact(d, byKey) {
  const host = document.querySelector(`[data-deployment="${d.id}"] [data-impact]`);
  try {
    const report = await getJson(`/v1/deployments/${d.id}/impact`);
    const rows = report.metrics
      .sort((a, b) => Math.abs(b.relative) - Math.abs(a.relative))
      .map(m => {
        const metric = byKey.get(m.metric);
        const tone = m.low > 0 || m.high < 0 ? judge(m.relative, metric?.direction) : "flat";
        const link = nodeLink(m.metric, { from: hourBefore(d.startedAt, metric?.grain), to: m.to, grain: metric?.grain });
        return `<tr>
            <td><a href="${link}">${escapeHtml(metric?.name ?? m.metric)}</a> <span class="muted">${escapeHtml(m.metric)}</span></td>
            <td class="num ${tone}">${formatPercent(m.relative)}</td>
            <td class="num muted">${formatPercent(m.low)} to ${formatPercent(m.high)}</td>
            <td class="muted">${tone === "flat" ? "interval includes zero" : tone === "bad" ? "worse" : "better"}</td>
            <td class="muted">${m.postBuckets} buckets after</td>
          </tr>`;
      });
    const skipped = report.skipped.map(s => `<li>${escapeHtml(s.metric)}: ${escapeHtml(s.reason)}</li>`);
    host.innerHTML = `${rows.length
      ? `<table class="impact"><thead><tr><th>Metric</th><th class="num">Impact</th><th class="num">95 % interval</th><th></th><th></th></tr></thead><tbody>${rows.join("")}</tbody></table>`
      : `<p class="muted">No metric in scope has data after it yet.</p>`}
      ${skipped.length ? `<details><summary class="muted">${skipped.length} not estimated</summary><ul>${skipped.join("")}</ul></details>` : ""}`;
  } catch (error) {
    host.innerHTML = `<p class="error">${escapeHtml(error.message)}</p>`;
  }
}

/** The node page from a week (hourly) or 90 days (daily) before the deployment. */
function hourBefore(iso, grain) {
  const days = grain === "day" ? 90 : grain === "week" ? 728 : 7;
  const t = Math.floor((Date.parse(iso) - days * 86400000) / 3600000) * 3600000;
  return new Date(t).toISOString();
}
