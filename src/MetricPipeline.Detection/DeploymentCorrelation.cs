using MetricPipeline.Data.Alerts;
using MetricPipeline.Data.Entities;
using MetricPipeline.Registry;

namespace MetricPipeline.Detection;

/// <summary>
/// Which known interventions line up with a change. A deployment is named when it is in the metric's scope and
/// started in [changeAt − lag − width, changeAt + 2·width): the change point is the first bucket of the new level and
/// its position is uncertain by about a bucket either way (a partial first bucket, the decomposition's smoothing), so
/// a deployment that started in the change's bucket or the next still lines up. The lag reported is
/// <see cref="DeploymentMatch.LagMinutesBefore"/>: changeAt − start in minutes, 0 when the deployment started at or
/// after the change bucket's start.
/// A change with no deployment in that window names none. When the onset itself is uncertain (a small shift: the
/// detector's likelihood interval for its first bucket, the alert's <see cref="OnsetInterval"/>, spans several), the
/// window spans that interval too.
/// </summary>
public static class DeploymentCorrelation
{
    public static IReadOnlyList<DeploymentMatch> Correlate(
        IEnumerable<Deployment> deployments, MetricDefinition metric, IReadOnlySet<string> scopeKeys, DateTime changeAt, TimeSpan width, TimeSpan lag,
        OnsetInterval? onset = null)
    {
        var earliest = (onset?.Earliest.UtcDateTime is { } e && e < changeAt ? e : changeAt) - lag - width;
        var latest = (onset?.Latest.UtcDateTime is { } l && l > changeAt ? l : changeAt) + (2 * width);
        return [.. deployments
            .Where(d => d.StartedAt.UtcDateTime >= earliest && d.StartedAt.UtcDateTime < latest && InScope(d, metric, scopeKeys))
            .Select(d => DeploymentMatch.Of(d, changeAt))
            .OrderBy(d => d.LagMinutes)
            .ThenBy(d => d.Service, StringComparer.Ordinal)];
    }

    /// <summary>
    /// In scope: a deployment with neither products nor metrics touches everything; otherwise the metric's product is
    /// listed, or the metric or one of its ancestors in the tree is (<paramref name="scopeKeys"/> holds the metric's key
    /// and its ancestors' keys: a change to the North Star's model reaches the inputs below it).
    /// </summary>
    public static bool InScope(Deployment deployment, MetricDefinition metric, IReadOnlySet<string> scopeKeys) =>
        (deployment.Products.Length == 0 && deployment.Metrics.Length == 0)
        || (metric.Product is { } product && deployment.Products.Contains(product, StringComparer.Ordinal))
        || deployment.Metrics.Any(scopeKeys.Contains);
}
