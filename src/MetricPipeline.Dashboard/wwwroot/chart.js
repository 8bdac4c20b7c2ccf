// The node chart, drawn with Apache ECharts (vendored, SVG renderer): the values, the expected band (trend + seasonal
// ± 3 robust standard deviations of the remainder), the trend, change points and deployments as vertical lines,
// anomalies as dots, and the focused alert's span shaded. Wheel or slider to zoom, hover for the numbers.
import { formatNumber, formatPercent, formatTime } from "./common.js";

const Colors = { value: "#1f5fbf", trend: "#8a5a00", band: "rgba(31,95,191,0.12)", bad: "#c62828", good: "#2e7d32", deployment: "#6a1b9a", anomaly: "#d84315" };

export function drawChart(element, series, metric, focus) {
  const chart = echarts.init(element, null, { renderer: "svg" });
  const t = series.points.map(p => Date.parse(p.t));
  const value = series.points.map((p, i) => [t[i], p.value]);
  const hasFit = series.points.some(p => p.trend !== null);
  const remainders = series.points.filter(p => p.remainder !== null).map(p => p.remainder);
  const center = median(remainders);
  const spread = 3 * 1.4826 * median(remainders.map(r => Math.abs(r - center)));
  const expected = series.points.map(p => (p.trend === null ? null : p.trend + p.seasonal));
  const low = expected.map((e, i) => [t[i], e === null ? null : e - spread]);
  const width = expected.map((e, i) => [t[i], e === null ? null : 2 * spread]);
  const format = v => formatNumber(v, metric.kind);

  const lines = [
    ...series.deployments.map(d => ({
      xAxis: Date.parse(d.t),
      lineStyle: { color: Colors.deployment, type: "dashed", width: 2 },
      label: { formatter: `${d.service} ${d.version}`, color: Colors.deployment, position: "insideStartTop" },
    })),
    ...series.changePoints.map(c => ({
      xAxis: Date.parse(c.t),
      lineStyle: { color: Colors[c.direction] ?? Colors.bad, type: "solid", width: 2 },
      label: { formatter: `change ${formatPercent(c.relativeChange)}`, color: Colors[c.direction] ?? Colors.bad, position: "insideEndBottom" },
    })),
  ];
  const areas = focus
    ? [[{ xAxis: Date.parse(focus.changeAt), itemStyle: { color: "rgba(198,40,40,0.08)" }, label: { show: true, formatter: "alert", color: Colors.bad, position: "insideTopLeft" } },
        { xAxis: Math.max(Date.parse(focus.detectedAt), Date.parse(focus.changeAt) + 3600000) }]]
    : [];

  chart.setOption({
    animation: false,
    grid: { left: 64, right: 24, top: 40, bottom: 72 },
    legend: { top: 4, data: ["value", "expected band", "trend", "anomaly"] },
    tooltip: {
      trigger: "axis",
      formatter: items => {
        const i = items[0]?.dataIndex ?? 0;
        const p = series.points[i];
        if (!p) return "";
        const rows = [`<strong>${formatTime(p.t)}</strong>`, `value ${format(p.value)}`];
        if (expected[i] !== null) {
          rows.push(`expected ${format(expected[i] - spread)} – ${format(expected[i] + spread)}`, `trend ${format(p.trend)}`);
        }
        return rows.join("<br>");
      },
    },
    xAxis: { type: "time" },
    yAxis: { type: "value", scale: true, axisLabel: { formatter: format } },
    dataZoom: [{ type: "inside" }, { type: "slider", height: 24, bottom: 16 }],
    series: [
      { name: "band-low", type: "line", data: low, stack: "band", symbol: "none", lineStyle: { opacity: 0 }, silent: true, tooltip: { show: false } },
      { name: "expected band", type: "line", data: width, stack: "band", symbol: "none", lineStyle: { opacity: 0 }, areaStyle: { color: Colors.band }, itemStyle: { color: Colors.band }, silent: true },
      {
        name: "value", type: "line", data: value, symbol: "none", connectNulls: false, lineStyle: { color: Colors.value, width: 1.5 }, itemStyle: { color: Colors.value },
        markLine: { symbol: "none", silent: false, data: lines },
        markArea: { silent: true, data: areas },
      },
      hasFit ? { name: "trend", type: "line", data: series.points.map((p, i) => [t[i], p.trend]), symbol: "none", lineStyle: { color: Colors.trend, type: "dashed", width: 1.5 }, itemStyle: { color: Colors.trend } } : null,
      { name: "anomaly", type: "scatter", data: series.anomalies.map(a => [Date.parse(a.t), a.value]), symbolSize: 9, itemStyle: { color: Colors.anomaly } },
    ].filter(Boolean),
  });
  window.addEventListener("resize", () => chart.resize());
  return chart;
}

function median(values) {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
