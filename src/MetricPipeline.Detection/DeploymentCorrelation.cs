using MetricPipeline.Data;
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
    /// The change's first bucket when a deployment in scope lines up with its onset: the bucket the deployment started in
    /// (partly after it) or the next (the first wholly after it), whichever of the two the data allow — lies in the
    /// onset's likelihood interval <paramref name="onset"/> — nearer the best onset <paramref name="changeAt"/> (the
    /// later on a tie); null when no deployment's buckets are in the interval.
    /// </summary>
    /// <remarks>
    /// The onset of a small shift is flat over several buckets: the interval holds every onset whose likelihood is within
    /// e³ of the best's. A tagged deployment is prior knowledge of when a change is likely — say half of all changes
    /// follow one and the rest could begin at any of a day's buckets: a prior odds of about 24 ≈ e³ for the deployment's
    /// bucket against any other — so an onset in the interval at a deployment is as likely as the best one or more, and
    /// the alert is dated there. A 5 % drop at 1.1–1.5 σ a bucket is dated within a bucket by the likelihood alone about
    /// 60 % of the time, by its deployment whenever the interval holds it.
    /// </remarks>
    public static DateTime? DeployedOnset(
        IEnumerable<Deployment> deployments, MetricDefinition metric, IReadOnlySet<string> scopeKeys, DateTime changeAt, Grain grain, OnsetInterval onset)
    {
        var width = BucketGrain.Width(grain);
        var (earliest, latest) = (onset.Earliest.UtcDateTime, onset.Latest.UtcDateTime);
        DateTime? best = null;
        foreach (var deployment in deployments)
        {
            var containing = BucketGrain.Start(deployment.StartedAt.UtcDateTime, grain);
            if (containing + width < earliest || containing > latest || !InScope(deployment, metric, scopeKeys))
            {
                continue;
            }

            foreach (var bucket in OnsetBuckets(deployment, grain))
            {
                if (bucket < earliest || bucket > latest)
                {
                    continue;
                }

                var distance = (bucket - changeAt).Duration();
                if (best is not { } b || distance < (b - changeAt).Duration() || (distance == (b - changeAt).Duration() && bucket > b))
                {
                    best = bucket;
                }
            }
        }

        return best;
    }

    /// <summary>
    /// The buckets of <paramref name="series"/> at which its in-scope deployments that had started by
    /// <paramref name="asOf"/> may have changed it: the bucket each started in and the next (the first wholly after it).
    /// The live detector watches a level that moved at one of them with a threshold of its own.
    /// </summary>
    public static IReadOnlyList<int> KnownOnsets(
        IEnumerable<Deployment> deployments, MetricDefinition metric, IReadOnlySet<string> scopeKeys, NodeSeries series, DateTime asOf)
    {
        var onsets = new SortedSet<int>();
        foreach (var deployment in deployments)
        {
            if (deployment.StartedAt.UtcDateTime > asOf || !InScope(deployment, metric, scopeKeys))
            {
                continue;
            }

            foreach (var bucket in OnsetBuckets(deployment, series.Metric.Grain))
            {
                if (series.IndexOf(bucket) is var i and >= 0)
                {
                    onsets.Add(i);
                }
            }
        }

        return [.. onsets];
    }

    /// <summary>
    /// The buckets a deployment may have changed a series from: the one it started in (partly after it) and, unless it
    /// started on a bucket's start, the next (the first wholly after it).
    /// </summary>
    private static DateTime[] OnsetBuckets(Deployment deployment, Grain grain)
    {
        var at = deployment.StartedAt.UtcDateTime;
        var containing = BucketGrain.Start(at, grain);
        return containing == at ? [containing] : [containing, containing + BucketGrain.Width(grain)];
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
