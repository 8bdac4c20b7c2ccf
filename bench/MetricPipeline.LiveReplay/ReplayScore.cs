namespace MetricPipeline.LiveReplay;

/// <summary>
/// How one scenario fared in one seed. Delays and change-time errors are in the metric's buckets (hours; days for
/// the daily metric): delay = (bucket of the first pass whose alerts table holds an alert for the change) − (bucket
/// of the change), so 1 is the first pass that can see a changed bucket; null when no pass did.
/// </summary>
public sealed record InstanceScore(
    Scenario Scenario,
    int Seed,
    DateTime ChangeAt,
    int? Delay,
    int? ChangeTimeError,
    int? FinalChangeTimeError,
    string? Segment,
    string? Kind,
    double? RelativeChange,
    bool Tagged,
    bool DeploymentNamed,
    bool DeploymentNamedAtLast,
    bool Resolved,
    double? ResolvedHoursAfterReturn,
    bool SpikeAsLevelShift,
    int FalseAlerts,
    int FalseLevelShifts,
    int FalseAlertsInPeriod,
    double SeriesWeeks,
    IReadOnlyList<string> FalseAlertNotes);

/// <summary>
/// Matches a seed's alerts to its true changes. An alert is for a change when it is on the scenario's metric (or a
/// related one, such as a ratio's numerator; for a change of one plan, the total or that plan), has the change's
/// sign, dates its change within a window around the true one (±24 h, ±3 days for the daily metric; the whole outage
/// ±24 h) and was first seen by a pass that could see a changed bucket. An alert dated within ±6 h of a spike is the
/// spike's (any kind; a level shift fails the spike), and so is an upward level shift dated in the day before a spike and
/// first seen after it (it fails the spike and counts as a false alert too). Every other alert on the scenario's
/// metrics is a false alert.
/// </summary>
public static class ReplayScore
{
    public static IEnumerable<InstanceScore> Score(SeedResult result)
    {
        foreach (var instance in result.Plan.Instances)
        {
            yield return Score(result, instance);
        }
    }

    private static InstanceScore Score(SeedResult result, ScenarioInstance instance)
    {
        var scenario = instance.Scenario;
        var width = instance.IsDaily ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1);
        var alerts = result.Alerts.Where(a => instance.Keys.Contains(a.First.Metric)).ToList();
        var truths = new List<AlertTrack>();
        var spikeAlerts = new List<AlertTrack>();
        var falseAlerts = new List<AlertTrack>();
        foreach (var alert in alerts)
        {
            if (instance.Spikes.Any(s => Math.Abs((alert.First.ChangeAt - s).TotalHours) <= 6))
            {
                spikeAlerts.Add(alert);
            }
            else if (alert.Kinds.Contains("level_shift") && alert.First.RelativeChange > 0 && instance.Spikes.Any(s => alert.FirstPassHour > s && (s - alert.First.ChangeAt).TotalHours is >= 0 and <= 24))
            {
                // A rise dated in the day before a spike and first seen after it: the spike lifted the mean of a segment ending in it.
                spikeAlerts.Add(alert);
                falseAlerts.Add(alert);
            }
            else if (scenario.Sign != 0 && scenario.Kind != ChangeKind.Spike && IsFor(instance, alert))
            {
                truths.Add(alert);
            }
            else
            {
                falseAlerts.Add(alert);
            }
        }

        var tracked = scenario.Kind == ChangeKind.Spike ? spikeAlerts : truths;
        var first = tracked
            .Where(a => a.First.Metric == instance.Measured && a.FirstPassHour > instance.ChangeAt)
            .OrderBy(a => a.FirstPassHour)
            .ThenBy(a => a.First.Segment.Length == 0 ? 0 : 1)
            .FirstOrDefault();
        var tagged = result.Deployments.TryGetValue(instance.Measured, out var deployment);
        int? delay = first is null ? null : Buckets(instance.ChangeAt, first.FirstPassHour, instance.IsDaily);
        int? error = first is null ? null : Buckets(instance.ChangeAt, first.First.ChangeAt, instance.IsDaily);
        int? finalError = first is null ? null : Buckets(instance.ChangeAt, first.Last.ChangeAt, instance.IsDaily);
        var returns = instance.ChangeAt.AddHours(scenario.Hours);
        var resolved = first?.Last is { Status: "resolved", ResolvedAt: { } at } && at >= returns;
        return new InstanceScore(
            scenario, result.Plan.Seed, instance.ChangeAt, delay, error, finalError, first?.First.Segment, first?.First.Kind, first?.First.RelativeChange,
            tagged, first is not null && tagged && first.First.Deployments.Contains(deployment.ToString(), StringComparison.OrdinalIgnoreCase),
            first is not null && tagged && first.Last.Deployments.Contains(deployment.ToString(), StringComparison.OrdinalIgnoreCase),
            resolved, resolved ? (first!.Last.ResolvedAt!.Value - returns).TotalHours : null,
            spikeAlerts.Any(a => a.Kinds.Contains("level_shift")),
            falseAlerts.Count,
            falseAlerts.Count(a => a.Kinds.Contains("level_shift")),
            falseAlerts.Count(a => a.First.ChangeAt >= result.Plan.FirstNewBucket),
            instance.SeriesCount * result.Passes / 168.0,
            [.. falseAlerts.Select(a => $"seed {result.Plan.Seed} {a.First.Metric}[{a.First.Segment}] {string.Join("→", a.Kinds)} {a.First.RelativeChange:+0.0%;-0.0%} at {a.First.ChangeAt:ddd MM-dd HH}h, first seen by the pass of {a.FirstPassHour:ddd MM-dd HH}h (true change {instance.ChangeAt:ddd MM-dd HH}h)")]);
    }

    private static bool IsFor(ScenarioInstance instance, AlertTrack alert)
    {
        var scenario = instance.Scenario;
        if (alert.First.Metric != instance.Measured && !instance.Related.Contains(alert.First.Metric))
        {
            return false;
        }

        if (Math.Sign(alert.First.RelativeChange) != scenario.Sign || alert.FirstPassHour <= instance.ChangeAt)
        {
            return false;
        }

        // A change of one plan moves that plan and the total, not the other plans.
        if (scenario.Kind == ChangeKind.SegmentLevel && alert.First.Segment.Length > 0 && alert.First.Segment != "plan=" + scenario.Plan)
        {
            return false;
        }

        var slack = instance.IsDaily ? TimeSpan.FromDays(3) : TimeSpan.FromHours(24);
        var from = instance.ChangeAt - slack;
        var to = instance.ChangeAt.AddHours(scenario.Kind == ChangeKind.Outage ? scenario.Hours : 0) + slack;
        return alert.First.ChangeAt >= from && alert.First.ChangeAt <= to;
    }

    /// <summary>Whole buckets from the change's bucket to <paramref name="t"/>'s bucket.</summary>
    private static int Buckets(DateTime change, DateTime t, bool daily) =>
        daily ? (int)(t.Date - change.Date).TotalDays : (int)Math.Floor((t - change).TotalHours);
}
