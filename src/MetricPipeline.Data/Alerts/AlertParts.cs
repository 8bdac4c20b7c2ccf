using MetricPipeline.Data.Entities;

namespace MetricPipeline.Data.Alerts;

/// <summary>
/// A deployment that lines up with an alert's onset: it started <see cref="LagMinutes"/> before the onset (0 when it
/// started at or after the onset bucket's start).
/// </summary>
/// <param name="Kind">model, feature_flag, config, incident or external; absent in alerts stored before kinds were recorded.</param>
public sealed record DeploymentMatch(Guid Id, string Service, string Version, int LagMinutes, string? Kind = null)
{
    /// <summary>The match of <paramref name="deployment"/> against a change whose first bucket starts at <paramref name="onset"/>.</summary>
    public static DeploymentMatch Of(Deployment deployment, DateTime onset) =>
        new(deployment.Id, deployment.Service, deployment.Version, LagMinutesBefore(onset, deployment.StartedAt), deployment.Kind);

    /// <summary>Whole minutes from the deployment's start to the onset; 0 for a deployment that started at or after it.</summary>
    public static int LagMinutesBefore(DateTime onset, DateTimeOffset startedAt) =>
        Math.Max(0, (int)Math.Round((onset - startedAt.UtcDateTime).TotalMinutes));
}

/// <summary>The estimated effect of the change as a relative change (−0.12 = −12 %) with its interval <c>[Low, High]</c>.</summary>
public sealed record EffectInterval(double Relative, double Low, double High);

/// <summary>A child metric in the tree whose own shift started with the alert's; <see cref="RelativeChange"/> is its own effect.</summary>
public sealed record ChildContribution(string Metric, double RelativeChange);

/// <summary>
/// A segment's part of a total's change: <see cref="Share"/> = segment change / total change over the same buckets
/// (0.72 = 72 % of it); <see cref="RelativeChange"/> is the segment's change against its own expected value.
/// </summary>
public sealed record SegmentContribution(string Segment, double Share, double RelativeChange);

/// <summary>What carried the change: the children that moved with it and the segments ranked by their share of it.</summary>
public sealed record AlertContributors(IReadOnlyList<ChildContribution> Children, IReadOnlyList<SegmentContribution> Segments)
{
    public static readonly AlertContributors None = new([], []);

    /// <summary>Equal when both lists hold equal items in the same order (a record would compare the lists by reference).</summary>
    public bool Equals(AlertContributors? other) =>
        other is not null && Children.SequenceEqual(other.Children) && Segments.SequenceEqual(other.Segments);

    public override int GetHashCode() => HashCode.Combine(Children.Count, Segments.Count);
}

/// <summary>
/// When the change may have begun: the first bucket of the new level lies in <c>[Earliest, Latest]</c> (bucket starts).
/// A clean step has both equal to the alert's <c>changeAt</c>; a small shift's onset is uncertain by several buckets.
/// </summary>
public sealed record OnsetInterval(DateTimeOffset Earliest, DateTimeOffset Latest)
{
    /// <summary>The interval between two UTC bucket starts.</summary>
    public static OnsetInterval Of(DateTime earliest, DateTime latest) =>
        new(new DateTimeOffset(earliest, TimeSpan.Zero), new DateTimeOffset(latest, TimeSpan.Zero));
}
