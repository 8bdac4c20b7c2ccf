using MetricPipeline.Analysis.Impact;
using MetricPipeline.Data;
using MetricPipeline.Data.Alerts;
using MetricPipeline.Data.Entities;
using MetricPipeline.Registry;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Detection;

public sealed record MetricImpact(string Metric, string Segment, double Relative, double Low, double High, double Observed, double Expected, int PostBuckets, DateTime From, DateTime To);

public sealed record SkippedMetric(string Metric, string Reason);

public sealed record ImpactReport(IReadOnlyList<MetricImpact> Metrics, IReadOnlyList<SkippedMetric> Skipped);

/// <summary>
/// The estimated effect of a deployment on each metric in its scope: the counterfactual effect (see
/// <see cref="CounterfactualEffect"/>) with the change at the bucket holding the deployment's start, measured over
/// the buckets after it up to now or a horizon (7 days hourly, 28 days daily, 12 weeks weekly), and no further than the
/// metric's latest non-empty bucket.
/// </summary>
public sealed class DeploymentImpact(MetricStore store, SeriesReader reader, IOptions<DetectorOptions> options, TimeProvider clock)
{
    public async Task<ImpactReport> EstimateAsync(Deployment deployment, CancellationToken ct)
    {
        var tree = new MetricTree(await store.AllAsync(ct));
        var impacts = new List<MetricImpact>();
        var skipped = new List<SkippedMetric>();
        var start = deployment.StartedAt.UtcDateTime;
        foreach (var metric in tree.TopDown.Where(m => DeploymentCorrelation.InScope(deployment, m, tree.SelfAndAncestors(m.Key))))
        {
            var horizon = metric.Grain switch { Grain.Hour => TimeSpan.FromDays(7), Grain.Day => TimeSpan.FromDays(28), _ => TimeSpan.FromDays(84) };
            var now = clock.GetUtcNow().UtcDateTime;
            var asOf = start + horizon < now ? start + horizon : now;
            var series = await NodeSeries.ReadAsync(reader, metric, tree.Find, "", asOf, options.Value, ct, asOf - start);
            var k = series?.IndexOf(start) ?? -1;
            if (series is null || k < 0)
            {
                skipped.Add(new SkippedMetric(metric.Key, series is null ? "too little data before the deployment" : "no complete bucket after the deployment yet"));
                continue;
            }

            if (k < 2 * series.Periods.DefaultIfEmpty(1).Min())
            {
                skipped.Add(new SkippedMetric(metric.Key, "too little history before the deployment for a counterfactual"));
                continue;
            }

            // Up to the metric's latest data: buckets after it are empty because nothing has been sent yet, not a drop.
            var last = Array.FindLastIndex(series.Values, v => v != 0);
            if (last < k)
            {
                skipped.Add(new SkippedMetric(metric.Key, "no data after the deployment yet"));
                continue;
            }

            var effect = CounterfactualEffect.Estimate(series.Values, k, series.Periods, last - k + 1, options.Value.Confidence);
            if (!double.IsFinite(effect.Relative))
            {
                skipped.Add(new SkippedMetric(metric.Key, "the expected value is zero, so a relative effect is undefined"));
                continue;
            }

            impacts.Add(new MetricImpact(
                metric.Key, "", SixDecimals.Round(effect.Relative), SixDecimals.Round(effect.Low), SixDecimals.Round(effect.High),
                effect.Observed, effect.Expected, effect.PostPoints, series.Times[k], series.Times[last] + series.Width));
        }

        return new ImpactReport(impacts, skipped);
    }
}
