using MetricPipeline.Analysis.Detection;
using MetricPipeline.Data;
using MetricPipeline.Data.Entities;
using MetricPipeline.Registry;

namespace MetricPipeline.Api;

public sealed record ChangePointMarker(DateTime T, double Before, double After, double? RelativeChange, double Score, string Direction);

public sealed record AnomalyMarker(DateTime T, double Value, double Expected, double Score);

public sealed record DeploymentMarker(Guid Id, string Service, string Version, string Kind, DateTimeOffset T);

/// <summary>
/// What the history endpoint draws over a series: the detector's change points and anomalies on the points shown
/// (empty lead-in before the metric's first data skipped, ratio gaps bridged; periods 24 and 168 hourly, 7 daily, each
/// when the series holds more than two cycles), and the deployments in the metric's scope that started in the range.
/// </summary>
public static class SeriesMarkers
{
    public static (List<ChangePointMarker> ChangePoints, List<AnomalyMarker> Anomalies) Detect(IReadOnlyList<SeriesPoint> points, MetricDefinition metric, Grain grain)
    {
        var first = -1;
        for (var i = 0; i < points.Count && first < 0; i++)
        {
            first = points[i].Value is { } v && v != 0 ? i : -1;
        }

        if (first < 0 || points.Count - first < 24)
        {
            return ([], []);
        }

        var shown = points.Skip(first).ToList();
        var y = SeriesGaps.Bridge(shown);
        int[] candidates = grain switch { Grain.Hour => [24, 168], Grain.Day => [7], _ => [] };
        var periods = candidates.Where(p => 2 * p < y.Length).ToArray();
        var direction = metric.Direction == Direction.Up ? MetricDirection.Up : MetricDirection.Down;
        var found = SeriesDetector.Detect(y, periods, direction);
        return (
            [.. found.ChangePoints.Select(c => new ChangePointMarker(shown[c.Index].T, c.Before, c.After, c.RelativeChange, c.Score, c.IsGood ? "good" : "bad"))],
            [.. found.Anomalies.Where(a => shown[a.Index].Value is not null).Select(a => new AnomalyMarker(shown[a.Index].T, a.Value, a.Expected, a.Score))]);
    }

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
}
