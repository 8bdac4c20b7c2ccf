using MetricPipeline.Analysis.Detection;
using MetricPipeline.Analysis.Impact;
using MetricPipeline.Data;
using MetricPipeline.Data.Alerts;
using MetricPipeline.Data.Entities;
using MetricPipeline.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MetricPipeline.Detection;

public sealed record DetectionPassResult(long RunId, int Nodes, IReadOnlyList<Guid> Opened, int Resolved)
{
    /// <summary>The end of the newest bucket the pass read (<see cref="PassWatermark"/>).</summary>
    public DateTime ReadThrough { get; init; }

    /// <summary>The rollup's watermark the pass saw; null when no rollup worker has reported.</summary>
    public DateTime? RollupWatermark { get; init; }
}

/// <summary>
/// One detection pass as of a given time: every node of the tree (parents first) and its largest segments are read,
/// analysed, and their new shifts turned into alerts — correlated with deployments, explained by children and
/// segments, attached to a parent alert when one explains them — then open alerts whose series is back in range are
/// resolved. Passes are serialised by a Postgres advisory lock, so an on-demand pass and a scheduled one (on any
/// instance) never interleave; with the alert fingerprint, re-running a pass changes nothing.
/// </summary>
public sealed partial class DetectionPass(
    MetricPipelineDbContext db,
    MetricStore store,
    SeriesReader reader,
    NpgsqlDataSource dataSource,
    AlertLifecycle lifecycle,
    IOptions<DetectorOptions> options,
    TimeProvider clock,
    ILogger<DetectionPass> logger)
{
    /// <summary>Advisory lock key of the pass ("mpdetect" as ASCII).</summary>
    public const long LockKey = 0x6d70646574656374;

    /// <summary>
    /// A segment that (nearly) vanishes or doubles is a change of mix — a version rolled out, a country launched —
    /// not a shift of the metric: it is left to the total's alert and its segment shares.
    /// </summary>
    public const double VanishedSegment = 0.9;

    private readonly DetectorOptions settings = options.Value;

    public async Task<DetectionPassResult> RunAsync(DateTime asOf, string trigger, DateTimeOffset? scheduledFireAt, string instance, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@k)", connection))
        {
            take.Parameters.AddWithValue("k", LockKey);
            await take.ExecuteNonQueryAsync(ct);
        }

        try
        {
            return await RunLockedAsync(DateTime.SpecifyKind(asOf, DateTimeKind.Utc), trigger, scheduledFireAt, instance, ct);
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@k)", connection);
            release.Parameters.AddWithValue("k", LockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private async Task<DetectionPassResult> RunLockedAsync(DateTime asOf, string trigger, DateTimeOffset? scheduledFireAt, string instance, CancellationToken ct)
    {
        var run = new DetectorRun { StartedAt = clock.GetUtcNow(), AsOf = new DateTimeOffset(asOf, TimeSpan.Zero), Trigger = trigger, ScheduledFireAt = scheduledFireAt, Instance = instance };
        db.DetectorRuns.Add(run);
        await db.SaveChangesAsync(ct);

        // Only buckets that closed at least the settle delay ago, and that the rollup has finished, are read: late events
        // of the newest hour are still on their way or in the queue, and a half-filled bucket would read as a dip.
        var readable = await PassWatermark.ReadThroughAsync(dataSource, run, asOf, clock.GetUtcNow().UtcDateTime, settings, logger, ct);
        var tree = new MetricTree(await store.AllAsync(ct));
        var earliest = new DateTimeOffset(asOf - settings.DailyWindow - settings.CorrelationLag, TimeSpan.Zero);
        var deployments = await db.Deployments.AsNoTracking().Where(d => d.StartedAt >= earliest).ToListAsync(ct);

        // Reading and analysing a node does not depend on any other node: the nodes are read and analysed in parallel
        // (the reader opens a connection per query), the alerts below are drafted parents first.
        var metrics = tree.TopDown.ToList();
        var perMetric = new (AnalysedSeries Total, List<AnalysedSeries> Segments)?[metrics.Count];
        await Parallel.ForAsync(0, metrics.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.PassParallelism), CancellationToken = ct }, async (i, token) =>
        {
            var metric = metrics[i];
            if (await AnalyseAsync(metric, tree, "", readable, deployments, token) is not { } total)
            {
                return;
            }

            var segments = new List<AnalysedSeries>();
            foreach (var segment in await LargestSegmentsAsync(metric, tree, total.Series, token))
            {
                if (await AnalyseAsync(metric, tree, segment, readable, deployments, token) is { } s)
                {
                    segments.Add(s);
                }
            }

            perMetric[i] = (total, segments);
        });

        var analysed = new Dictionary<(string Metric, string Segment), AnalysedSeries>();
        var segmentsOf = new Dictionary<string, List<AnalysedSeries>>(StringComparer.Ordinal);
        for (var i = 0; i < metrics.Count; i++)
        {
            if (perMetric[i] is not var (total, segments))
            {
                continue;
            }

            analysed[(metrics[i].Key, "")] = total;
            foreach (var s in segments)
            {
                analysed[(metrics[i].Key, s.Series.Segment)] = s;
            }

            segmentsOf[metrics[i].Key] = segments;
        }

        await PassFindings.RecordAsync(db, run.Id, analysed.Values, ct);

        var opened = new List<Guid>();
        var resolved = 0;
        foreach (var metric in tree.TopDown)
        {
            if (!analysed.TryGetValue((metric.Key, ""), out var total))
            {
                continue;
            }

            foreach (var series in segmentsOf[metric.Key].Prepend(total))
            {
                foreach (var finding in series.Live.Findings)
                {
                    if (!Worth(finding, metric, series.Series.Segment))
                    {
                        continue;
                    }

                    var draft = Draft(series, finding, tree, deployments, analysed, segmentsOf);
                    var tolerance = settings.SameShiftWithinBuckets * series.Series.Width;
                    var testedSince = series.Series.Times[series.Live.TestStart];
                    if (await lifecycle.FindExistingAsync(draft, tolerance, testedSince, ct) is { } existing)
                    {
                        // The same shift seen with more data after it dates it better: the alert moves to this pass's onset
                        // when it is near the stored one and not at the edge of the tested window, where the scan cannot
                        // see the level before it.
                        var redate = (existing.ChangeAt.UtcDateTime - draft.ChangeAt).Duration() <= tolerance
                            && draft.ChangeAt >= testedSince + (2 * series.Series.Width);
                        await lifecycle.RefreshAsync(existing, draft, ct, redate);
                        continue;
                    }

                    if (await lifecycle.FindRecoveredAsync(draft, metric.Alert.MinRelativeChange, ct) is { } recovered)
                    {
                        resolved += await lifecycle.ResolveAsync(recovered, $"recovered: a {draft.RelativeChange:+0.0%;-0.0%} change at {draft.ChangeAt:u} brought the level back", ct) ? 1 : 0;
                        continue;
                    }

                    var parent = await ParentAlertAsync(metric, series.Series.Segment, draft, tree, ct);
                    var alert = await lifecycle.OpenAsync(draft, parent?.Id, ct);
                    opened.Add(alert.Id);
                    LogOpened(metric.Key, series.Series.Segment, draft.Kind, draft.ChangeAt, draft.RelativeChange, draft.Direction, parent?.Id);
                }

                resolved += await ResolveBackInRangeAsync(series, ct);
            }
        }

        resolved += await ResolveRecoveredAsync(tree, analysed, readable, ct);

        run.FinishedAt = clock.GetUtcNow();
        run.Nodes = segmentsOf.Count;
        run.AlertsOpened = opened.Count;
        run.AlertsResolved = resolved;
        await db.SaveChangesAsync(ct);
        return new DetectionPassResult(run.Id, run.Nodes, opened, resolved) { ReadThrough = readable, RollupWatermark = run.RollupWatermark?.UtcDateTime };
    }

    private async Task<AnalysedSeries?> AnalyseAsync(
        MetricDefinition metric, MetricTree tree, string segment, DateTime asOf, IReadOnlyList<Deployment> deployments, CancellationToken ct)
    {
        try
        {
            var series = await NodeSeries.ReadAsync(reader, metric, tree.Find, segment, asOf, settings, ct);
            return series is null
                ? null
                : new AnalysedSeries(series, LiveDetector.Detect(
                    series.Values, AnalysedSeries.LayoutFor(series),
                    AnalysedSeries.OptionsFor(metric, settings) with { KnownOnsets = DeploymentCorrelation.KnownOnsets(deployments, metric, tree.SelfAndAncestors(metric.Key), series, asOf) }));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            LogSkipped(metric.Key, segment, e.Message);
            return null;
        }
    }

    /// <summary>The node's largest segments over the window: by value for counts and sums, by denominator for ratios.</summary>
    private async Task<IEnumerable<string>> LargestSegmentsAsync(MetricDefinition metric, MetricTree tree, NodeSeries total, CancellationToken ct)
    {
        var sized = metric.Kind == MetricKind.Ratio && tree.Find(metric.Denominator!) is { } denominator ? denominator : metric;
        var from = total.Times[0];
        var to = total.Times[^1] + total.Width;
        var totals = await reader.SegmentTotalsAsync(sized, tree.Find, from, to, ct);
        return totals
            .Where(t => t.Segment.Length > 0 && t.Total is > 0
                && metric.Dimensions.Any(d => t.Segment.StartsWith(d + "=", StringComparison.Ordinal)))
            .OrderByDescending(t => t.Total)
            .Take(settings.MaxSegmentsPerNode)
            .Select(t => t.Segment);
    }

    /// <summary>
    /// Whether a finding is worth an alert under the metric's policy: the live detector says it is (an outage, a level
    /// shift, or a bad dip or spike that lasted or is going on), and its effect is big enough — at least 60 % of the
    /// policy's minimum relative change, with an interval that reaches the minimum. A segment that (nearly) vanishes or
    /// doubles is a change of mix, left to the total's alert.
    /// </summary>
    public static bool Worth(LiveFinding finding, MetricDefinition metric, string segment)
    {
        var minimum = metric.Alert.MinRelativeChange;
        return finding.Alertable
            && double.IsFinite(finding.Relative)
            && (finding.Kind == LiveKind.Outage || (Math.Abs(finding.Relative) >= 0.6 * minimum
                && Math.Max(Math.Abs(finding.RelativeLow), Math.Abs(finding.RelativeHigh)) >= minimum))
            && !(segment.Length > 0 && Math.Abs(finding.Relative) >= VanishedSegment);
    }

    /// <summary>The alert a finding would be: its kind, onset, effect against the forecast, deployments and explanation.</summary>
    private AlertDraft Draft(
        AnalysedSeries series, LiveFinding finding, MetricTree tree, List<Deployment> deployments,
        Dictionary<(string, string), AnalysedSeries> analysed, Dictionary<string, List<AnalysedSeries>> segmentsOf)
    {
        var metric = series.Series.Metric;
        var changeAt = series.Series.Times[finding.Start];
        var effect = new EffectInterval(finding.Relative, finding.RelativeLow, finding.RelativeHigh);
        var onset = OnsetInterval.Of(series.Series.Times[finding.EarliestStart], series.Series.Times[finding.LatestStart]);
        var contributors = series.Series.Segment.Length > 0
            ? AlertContributors.None
            : AlertExplanation.Explain(
                series, finding.Start, finding.End,
                tree.Children(metric.Key).Select(c => analysed.GetValueOrDefault((c.Key, ""))).OfType<AnalysedSeries>(),
                segmentsOf.GetValueOrDefault(metric.Key) ?? [],
                settings.SameShiftWithinBuckets);
        if (CarryingSegmentOnset(series, finding, contributors, analysed) is { } carried && carried.Start < changeAt)
        {
            // The segment that carries most of the change dates it better than the total, whose relative drop is diluted
            // by the segments that did not move (most of all in quiet hours): the total began where that segment did.
            changeAt = carried.Start;
            var earliest = new DateTimeOffset(carried.Earliest, TimeSpan.Zero);
            onset = onset with { Earliest = earliest < onset.Earliest ? earliest : onset.Earliest };
        }

        var scope = tree.SelfAndAncestors(metric.Key);
        if (DeploymentCorrelation.DeployedOnset(deployments, metric, scope, changeAt, metric.Grain, onset) is { } deployed)
        {
            // A deployment in the onset's likelihood interval dates the change: the data allow it, and changes follow deployments.
            changeAt = deployed;
        }

        var correlated = DeploymentCorrelation.Correlate(
            deployments, metric, scope, changeAt, series.Series.Width, settings.CorrelationLag, onset);
        return new AlertDraft(
            metric.Key, series.Series.Segment, KindName(finding.Kind), changeAt, finding.Observed, finding.Expected, finding.ExpectedLow, finding.ExpectedHigh,
            finding.Relative, finding.IsGood ? "good" : "bad", finding.Statistic, correlated, effect, contributors)
        {
            EndAt = series.Series.Times[finding.End] + series.Series.Width,
            Ongoing = finding.Ongoing,
            Onset = onset,
        };
    }

    /// <summary>
    /// For a total's finding: the onset of the segment finding that carries at least half of the change — same sign,
    /// alertable, not a segment that vanished, its onset clear (to within two buckets, or an onset interval narrower
    /// than the total's and inside it: a drop at night on a quiet segment is dated within hours, the total's within
    /// more), ongoing when the total's is, and covering at least half of the total's finding no more than a day before
    /// it. Null when no segment carries it so.
    /// </summary>
    private static (DateTime Start, DateTime Earliest)? CarryingSegmentOnset(
        AnalysedSeries total, LiveFinding finding, AlertContributors contributors, Dictionary<(string, string), AnalysedSeries> analysed)
    {
        var times = total.Series.Times;
        var (from, to) = (times[finding.Start], times[finding.End]);
        var (totalEarliest, totalWidth) = (times[finding.EarliestStart], times[finding.LatestStart] - times[finding.EarliestStart]);
        // A segment that (nearly) vanished — a version replaced by the next — is a change of mix, not the change's carrier.
        foreach (var contribution in contributors.Segments.Where(c =>
            c.Share >= 0.5 && Math.Sign(c.RelativeChange) == Math.Sign(finding.Relative) && Math.Abs(c.RelativeChange) < VanishedSegment))
        {
            if (analysed.GetValueOrDefault((total.Series.Metric.Key, contribution.Segment)) is not { } segment)
            {
                continue;
            }

            var segmentTimes = segment.Series.Times;
            foreach (var f in segment.Live.Findings)
            {
                var (start, end) = (segmentTimes[f.Start], segmentTimes[f.End]);
                var overlap = (Min(end, to) - Max(start, from)).TotalHours;
                var width = segmentTimes[f.LatestStart] - segmentTimes[f.EarliestStart];
                var clear = f.LatestStart - f.EarliestStart <= 2 || (width < totalWidth && start >= totalEarliest);
                if (f.Alertable && Math.Sign(f.Relative) == Math.Sign(finding.Relative) && (f.Ongoing || !finding.Ongoing)
                    && clear && start < from && start >= from.AddDays(-1)
                    && overlap >= 0.5 * (to - from).TotalHours)
                {
                    return (start, segmentTimes[f.EarliestStart]);
                }
            }
        }

        return null;

        static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
        static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
    }

    /// <summary>The alert kind of a live finding, as the API spells it.</summary>
    public static string KindName(LiveKind kind) => kind switch
    {
        LiveKind.LevelShift => "level_shift",
        LiveKind.Outage => "outage",
        LiveKind.Dip => "dip",
        _ => "spike",
    };

    /// <summary>
    /// The alert that explains this one: for a segment, the same metric's total alert at the same time and sign; for a
    /// node with parents, a parent's alert of the same segment (or total) at the same time, either sign.
    /// </summary>
    private async Task<Alert?> ParentAlertAsync(MetricDefinition metric, string segment, AlertDraft draft, MetricTree tree, CancellationToken ct)
    {
        var width = BucketGrain.Width(metric.Grain);
        if (segment.Length > 0
            && await lifecycle.FindNearAsync(metric.Key, "", draft.ChangeAt, settings.SameShiftWithinBuckets * width, Math.Sign(draft.RelativeChange), ct) is { } total)
        {
            return total;
        }

        foreach (var parentKey in metric.Parents)
        {
            if (tree.Find(parentKey) is not { } parent)
            {
                continue;
            }

            var tolerance = settings.SameShiftWithinBuckets * (BucketGrain.Width(parent.Grain) > width ? BucketGrain.Width(parent.Grain) : width);
            foreach (var s in segment.Length > 0 ? new[] { segment, "" } : [""])
            {
                if (await lifecycle.FindNearAsync(parentKey, s, draft.ChangeAt, tolerance, null, ct) is { } found && found.Status != AlertStatus.Resolved)
                {
                    return found.ParentAlertId is { } root ? await db.Alerts.FindAsync([root], ct) ?? found : found;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Resolves the unresolved top-level alerts of a series that began inside its tested window and that no ongoing
    /// deviation of the same sign carries any more, once its newest buckets are back in the expected range (standardised
    /// errors under 2): an outage or dip that ended, a shift that undid itself.
    /// </summary>
    private async Task<int> ResolveBackInRangeAsync(AnalysedSeries series, CancellationToken ct)
    {
        var live = series.Live;
        var n = series.Series.Values.Length;
        if (live.TestStart >= n)
        {
            return 0;
        }

        var since = new DateTimeOffset(series.Series.Times[live.TestStart], TimeSpan.Zero);
        var metric = series.Series.Metric.Key;
        var segment = series.Series.Segment;
        var candidates = await db.Alerts
            .Where(a => a.MetricKey == metric && a.Segment == segment && a.Status != AlertStatus.Resolved && a.ParentAlertId == null && a.ChangeAt >= since)
            .ToListAsync(ct);
        var resolved = 0;
        foreach (var alert in candidates)
        {
            // An outage is over when traffic is back for a bucket or two; a level shift only when the mean of its last
            // persistence of buckets is back (two buckets of a sparse series land in a wide per-bucket range by chance
            // while the level is still 17 % down).
            var hourly = series.Series.Metric.Grain == Grain.Hour;
            var recent = Math.Min(alert.Kind == "outage" ? (hourly ? 2 : 1) : (hourly ? 6 : 2), n - live.TestStart);
            var mean = Enumerable.Range(n - recent, recent).Average(t => live.Scores[t]);
            // And the recent level must be nearer the expected one than the shifted one: where days vary a lot the
            // range above is wide, and a drop still under way (its newest bucket by chance a little higher, so the
            // finding stops one short) must not read as back.
            var (change, expected) = series.ChangeOver(n - recent, n - 1);
            var back = Enumerable.Range(n - recent, recent).All(t => Math.Abs(live.Scores[t]) < 3)
                && Math.Abs(mean) < 2 * Math.Sqrt((1.0 / recent) + live.SharedVariance)
                && expected > 0 && Math.Abs(change / expected) < Math.Abs(alert.RelativeChange) / 2;
            var sign = Math.Sign(alert.RelativeChange);
            var carried = live.Findings.Any(f => f.Ongoing && Math.Sign(f.Relative) == sign);
            if (!carried && back && await lifecycle.ResolveAsync(alert, $"back in range: the last {recent} bucket(s) are within the expected range", ct))
            {
                resolved++;
            }
        }

        return resolved;
    }

    /// <summary>
    /// Resolves unresolved top-level alerts that began before the tested window and whose series is back in its expected range: over the last
    /// <see cref="DetectorOptions.RecoveryBuckets"/> buckets, the counterfactual effect (against the pre-change
    /// projection) is below half the alert threshold. Attached alerts resolve with their parent.
    /// </summary>
    private async Task<int> ResolveRecoveredAsync(MetricTree tree, Dictionary<(string, string), AnalysedSeries> analysed, DateTime asOf, CancellationToken ct)
    {
        var resolved = 0;
        var asOfOffset = new DateTimeOffset(asOf, TimeSpan.Zero);
        var unresolved = await db.Alerts.Where(a => a.Status != AlertStatus.Resolved && a.ParentAlertId == null && a.ChangeAt < asOfOffset).ToListAsync(ct);
        foreach (var alert in unresolved)
        {
            if (tree.Find(alert.MetricKey) is not { } metric)
            {
                continue;
            }

            var series = analysed.GetValueOrDefault((alert.MetricKey, alert.Segment))
                ?? await AnalyseAsync(metric, tree, alert.Segment, asOf, [], ct);
            if (series is null)
            {
                continue;
            }

            var k = series.Series.IndexOf(alert.ChangeAt.UtcDateTime);
            var n = series.Series.Values.Length;
            if (k < 2 || k >= series.Live.TestStart || n - k <= settings.RecoveryBuckets)
            {
                continue;
            }

            // A wide interval is no evidence of recovery: the recent level itself must be close to the projection.
            var recent = CounterfactualEffect.Estimate(series.Series.Values, k, series.Series.Periods, settings.RecoveryBuckets, settings.Confidence, n - settings.RecoveryBuckets);
            var back = double.IsFinite(recent.Relative) && Math.Abs(recent.Relative) < metric.Alert.MinRelativeChange / 2;
            if (back && await lifecycle.ResolveAsync(alert, $"back in range: last {settings.RecoveryBuckets} buckets {recent.Relative:+0.0%;-0.0%} against expected", ct))
            {
                resolved++;
            }
        }

        return resolved;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert opened: {Metric} [{Segment}] {Kind} {Relative:P1} ({Direction}) from {ChangeAt:u}; parent alert {Parent}")]
    private partial void LogOpened(string metric, string segment, string kind, DateTime changeAt, double relative, string direction, Guid? parent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Detection skipped {Metric} [{Segment}]: {Reason}")]
    private partial void LogSkipped(string metric, string segment, string reason);
}
