// Shared by every page: reading the JSON API, the admin key kept in this tab's session, formatting, sparklines and
// the explanation of an alert. The pages read exactly what any other client reads: /v1/... JSON.

const KeyName = "metricpipeline.adminKey";

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function problem(response) {
  let detail = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    detail = body.detail || body.title || detail;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, detail);
}

export async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw await problem(response);
  }
  return response.json();
}

/** A write with the admin key from this tab's session; without one, asks for it first. */
export async function postAsAdmin(path) {
  const key = adminKey();
  if (!key) {
    throw new ApiError(401, "set the admin key first (top right): acknowledging and resolving need it");
  }
  const response = await fetch(path, { method: "POST", headers: { Accept: "application/json", Authorization: `Bearer ${key}` } });
  if (!response.ok) {
    throw await problem(response);
  }
  return response.json();
}

export function adminKey() {
  return sessionStorage.getItem(KeyName) || "";
}

/** The admin-key control in the header: the key stays in sessionStorage (this tab only), never in a URL or cookie. */
export function renderAdminKey() {
  const host = document.getElementById("admin");
  if (!host) {
    return;
  }
  const key = adminKey();
  if (key) {
    host.innerHTML = `<span class="muted">Admin key set</span> <button type="button" id="forget-key" class="link">forget</button>`;
    host.querySelector("#forget-key").addEventListener("click", () => {
      sessionStorage.removeItem(KeyName);
      renderAdminKey();
    });
    return;
  }
  host.innerHTML = `<form id="key-form" autocomplete="off">
      <label for="admin-key" class="muted">Admin key</label>
      <input id="admin-key" type="password" placeholder="to acknowledge / resolve" size="18">
      <button type="submit">Use</button>
    </form>`;
  host.querySelector("#key-form").addEventListener("submit", event => {
    event.preventDefault();
    const value = host.querySelector("#admin-key").value.trim();
    if (value) {
      sessionStorage.setItem(KeyName, value);
      renderAdminKey();
    }
  });
}

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

export function formatNumber(value, kind) {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return "–";
  }
  if (kind === "ratio") {
    return `${(value * 100).toLocaleString("en-US", { maximumFractionDigits: 1 })} %`;
  }
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 1 : 3;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

export function formatPercent(relative, signed = true) {
  if (relative === null || relative === undefined || !Number.isFinite(relative)) {
    return "–";
  }
  const text = `${(Math.abs(relative) * 100).toLocaleString("en-US", { maximumFractionDigits: 1 })} %`;
  if (!signed) {
    return text;
  }
  return relative > 0 ? `+${text}` : relative < 0 ? `−${text}` : text;
}

/** good / bad / flat for a relative change, given whether higher is better. */
export function judge(relative, direction) {
  if (!Number.isFinite(relative) || Math.abs(relative) < 0.005) {
    return "flat";
  }
  const up = relative > 0;
  return (direction === "down") === up ? "bad" : "good";
}

export function formatTime(iso) {
  if (!iso) {
    return "–";
  }
  const t = new Date(iso);
  return `${t.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function isoHour(date) {
  return `${date.toISOString().slice(0, 13)}:00:00Z`;
}

/** Segments travel as dimension=value in stored rows and as dimension:value in queries. */
export function segmentQuery(segment) {
  return segment ? segment.replace("=", ":") : "";
}

export function nodeLink(metric, { from, to, segment, alert, grain } = {}) {
  const query = new URLSearchParams();
  if (from) query.set("from", from);
  if (to) query.set("to", to);
  if (grain) query.set("grain", grain);
  if (segment) query.set("segment", segmentQuery(segment));
  if (alert) query.set("alert", alert);
  const text = query.toString();
  return `/nodes/${encodeURIComponent(metric)}${text ? `?${text}` : ""}`;
}

/** The node page around an alert: a window before the change to a bucket after detection (as the Slack link). */
export function alertLink(alert, grain) {
  const before = { hour: 7, day: 90, week: 728 }[grain] ?? 7;
  const bucket = { hour: 1, day: 24, week: 168 }[grain] ?? 1;
  const change = new Date(alert.changeAt);
  const detected = new Date(alert.detectedAt);
  const from = new Date(change.getTime() - before * 86400000);
  const to = new Date(Math.max(change.getTime(), detected.getTime()) + bucket * 3600000);
  return nodeLink(alert.metric, { from: isoHour(from), to: isoHour(to), segment: alert.segment, alert: alert.id });
}

/** An inline SVG line of the values (nulls leave gaps), scaled to its own range. */
export function sparkline(values, { width = 120, height = 28, tone = "flat" } = {}) {
  const present = values.filter(v => v !== null && v !== undefined);
  if (present.length < 2) {
    return `<svg class="spark" width="${width}" height="${height}" aria-hidden="true"></svg>`;
  }
  const min = Math.min(...present);
  const max = Math.max(...present);
  const span = max - min || 1;
  const step = width / Math.max(values.length - 1, 1);
  let path = "";
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || v === undefined) {
      pen = false;
      return;
    }
    const x = (i * step).toFixed(1);
    const y = (height - 2 - ((v - min) / span) * (height - 4)).toFixed(1);
    path += `${pen ? "L" : "M"}${x} ${y} `;
    pen = true;
  });
  return `<svg class="spark ${tone}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-hidden="true"><path d="${path}"/></svg>`;
}

export const KindNames = {
  level_shift: "Level shift",
  outage: "Outage",
  dip: "Dip",
  spike: "Spike",
  trend_change: "Trend change",
};

export function kindName(kind) {
  return KindNames[kind] ?? String(kind ?? "").replace(/_/g, " ");
}

/**
 * What a person needs to act on an alert: the move and its expected range, the deployments that line up with it
 * (and their lag), the estimated effect with its interval, and the children and segments that carried the change.
 */
export function alertExplanation(alert, metric) {
  const kind = metric?.kind;
  const deployments = (alert.deployments ?? []).map(d =>
    `<li><strong>${escapeHtml(d.service)} ${escapeHtml(d.version)}</strong>${d.kind ? ` <span class="muted">(${escapeHtml(d.kind)})</span>` : ""}, ${lag(d.lagMinutes)} before the change</li>`);
  const effect = alert.effect
    ? `<dd>${formatPercent(alert.effect.relative)} <span class="muted">(95 % interval ${formatPercent(alert.effect.low)} to ${formatPercent(alert.effect.high)})</span></dd>`
    : `<dd class="muted">not estimated</dd>`;
  const children = (alert.contributors?.children ?? []).map(c =>
    `<li><a href="${nodeLink(c.metric)}">${escapeHtml(c.metric)}</a> ${formatPercent(c.relativeChange)}</li>`);
  const segments = (alert.contributors?.segments ?? []).map(s =>
    `<li><a href="${nodeLink(alert.metric, { segment: s.segment })}">${escapeHtml(s.segment)}</a> carries ${formatPercent(s.share, false)} of the change <span class="muted">(${formatPercent(s.relativeChange)} in that segment)</span></li>`);
  return `<dl class="explain">
      <dt>Value</dt><dd>${formatNumber(alert.value, kind)} <span class="muted">expected ${formatNumber(alert.expectedLow, kind)} – ${formatNumber(alert.expectedHigh, kind)}</span></dd>
      <dt>Change</dt><dd class="${alert.direction}">${formatPercent(alert.relativeChange)} (${escapeHtml(alert.direction)})</dd>
      <dt>Since</dt><dd>${formatTime(alert.changeAt)} <span class="muted">detected ${formatTime(alert.detectedAt)}</span></dd>
      <dt>Deployments</dt><dd>${deployments.length ? `<ul>${deployments.join("")}</ul>` : `<span class="muted">none in scope lines up with it</span>`}</dd>
      <dt>Effect</dt>${effect}
      <dt>Children</dt><dd>${children.length ? `<ul>${children.join("")}</ul>` : `<span class="muted">none moved with it</span>`}</dd>
      <dt>Segments</dt><dd>${segments.length ? `<ul>${segments.join("")}</ul>` : `<span class="muted">no segment stands out</span>`}</dd>
    </dl>`;
}

function lag(minutes) {
  if (minutes === null || minutes === undefined) {
    return "shortly";
  }
  return minutes >= 120 ? `${(minutes / 60).toFixed(1)} h` : `${minutes} min`;
}

/** Acknowledge / resolve buttons for an alert; onDone gets the updated alert. */
export function alertActions(alert) {
  const buttons = [];
  if (alert.status === "open") {
    buttons.push(`<button type="button" data-action="acknowledge" data-id="${alert.id}">Acknowledge</button>`);
  }
  if (alert.status !== "resolved") {
    buttons.push(`<button type="button" data-action="resolve" data-id="${alert.id}" class="secondary">Resolve</button>`);
  }
  return `<span class="actions">${buttons.join(" ")}</span>`;
}

/** Wires every [data-action] button under root to the alert API; reports failures next to the button. */
export function wireAlertActions(root, onDone) {
  root.querySelectorAll("button[data-action]").forEach(button => {
    button.addEventListener("click", async () => {
      const { action, id } = button.dataset;
      const status = button.closest(".actions");
      button.disabled = true;
      try {
        const updated = await postAsAdmin(`/v1/alerts/${id}/${action}`);
        onDone(updated);
      } catch (error) {
        button.disabled = false;
        let note = status.querySelector(".error");
        if (!note) {
          note = document.createElement("span");
          note.className = "error";
          status.append(note);
        }
        note.textContent = error.message;
      }
    });
  });
}

export function statusBadge(status) {
  return `<span class="badge status-${escapeHtml(status)}">${escapeHtml(status)}</span>`;
}

/** Sets up what every page shares, and shows the count of open alerts in the navigation. */
export async function startPage() {
  const page = document.body.dataset.page;
  document.querySelectorAll("[data-nav]").forEach(a => a.classList.toggle("current", a.dataset.nav === page));
  renderAdminKey();
  try {
    const { alerts } = await getJson("/v1/alerts?status=open");
    const count = alerts.filter(a => !a.parentAlertId).length;
    const badge = document.getElementById("open-alerts");
    if (badge && count > 0) {
      badge.textContent = count;
      badge.hidden = false;
    }
  } catch {
    // the count is a nicety; the page itself reports errors
  }
}

export function showError(error) {
  document.getElementById("app").innerHTML = `<div class="error-box">${escapeHtml(error.message ?? error)}</div>`;
}
