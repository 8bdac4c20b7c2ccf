using MetricPipeline.Data.Entities;
using MetricPipeline.Registry;

namespace MetricPipeline.Api;

/// <summary>
/// A level shift or outage the detector found: <see cref="Before"/> is the forecast it was measured against, <see cref="After"/>
/// the observed mean over <see cref="T"/> to <see cref="End"/>; <see cref="Alertable"/> when the detector would alert on it.
/// </summary>
public sealed record ChangePointMarker(
    DateTime T, double Before, double After, double? RelativeChange, double Score, string Direction, string Kind, DateTime End, bool Ongoing, bool Alertable);

/// <summary>A dip or spike the detector found: the observed mean over <see cref="T"/> to <see cref="End"/> against the forecast.</summary>
public sealed record AnomalyMarker(DateTime T, double Value, double Expected, double Score, string Kind, DateTime End, string Direction, bool Alertable);

public sealed record DeploymentMarker(Guid Id, string Service, string Version, string Kind, DateTimeOffset T);

/// <summary>
/// What the history endpoint draws over a series. Change points and anomalies are the detector's own findings, as the
/// newest pass that tested each time stored them (<c>detector_findings</c>): level shifts and outages are change
/// points, dips and spikes anomalies. Deployments are those in the metric's scope that started in the range.
/// </summary>
public static class HistoryMarkers
{
    public static List<ChangePointMarker> ChangePoints(IEnumerable<DetectorFinding> findings) =>
        [.. findings
            .Where(f => f.Kind is "level_shift" or "outage")
            .Select(f => new ChangePointMarker(
                f.StartAt.UtcDateTime, Finite(f.Expected), Finite(f.Observed), double.IsFinite(f.Relative) ? f.Relative : null, Finite(f.Statistic),
                f.Direction, f.Kind, f.EndAt.UtcDateTime, f.Ongoing, f.Alertable))];

    public static List<AnomalyMarker> Anomalies(IEnumerable<DetectorFinding> findings) =>
        [.. findings
            .Where(f => f.Kind is "dip" or "spike")
            .Select(f => new AnomalyMarker(
                f.StartAt.UtcDateTime, Finite(f.Observed), Finite(f.Expected), Finite(f.Statistic), f.Kind, f.EndAt.UtcDateTime, f.Direction, f.Alertable))];

    /// <summary>In scope: unscoped, the metric's product, or the metric or an ancestor listed.</summary>
    public static List<DeploymentMarker> Deployments(IEnumerable<Deployment> deployments, MetricDefinition metric, IReadOnlyList<MetricDefinition> registry)
    {
        var scope = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>([metric.Key]);
        while (stack.TryPop(out var key))
        {
            if (scope.Add(key) && registry.FirstOrDefault(m => m.Key == key) is { } node)
            {
                foreach (var parent in node.Parents)
                {
                    stack.Push(parent);
                }
            }
        }

        return [.. deployments
            .Where(d => (d.Products.Length == 0 && d.Metrics.Length == 0)
                || (metric.Product is { } p && d.Products.Contains(p, StringComparer.Ordinal))
                || d.Metrics.Any(scope.Contains))
            .OrderBy(d => d.StartedAt)
            .Select(d => new DeploymentMarker(d.Id, d.Service, d.Version, d.Kind, d.StartedAt))];
    }

    /// <summary>JSON has no NaN: a ratio measured against a zero forecast has no finite effect.</summary>
    private static double Finite(double x) => double.IsFinite(x) ? x : 0;
}
