using MetricPipeline.Data.Alerts;

namespace MetricPipeline.Detection;

/// <summary>
/// Explains a deviation of a node's total over buckets [from, to]: the children in the tree whose own live detection
/// found a deviation starting within the same-shift tolerance (either sign; their relative change is their own
/// effect), and the node's segments ranked by their share of the change. A segment's change is Σ(observed − expected)
/// over the same buckets against its own forecast; its share is that divided by the total's. For count and sum metrics
/// the shares of one dimension's values add up to about 1; for ratios they are indicative only.
/// </summary>
public static class AlertExplanation
{
    public const int MaxSegments = 5;

    /// <summary>Segments carrying less than this share of the change are not listed as contributors.</summary>
    public const double MinShare = 0.05;

    public static AlertContributors Explain(
        AnalysedSeries total, int from, int to, IEnumerable<AnalysedSeries> children, IEnumerable<AnalysedSeries> segments, int sameShiftWithinBuckets)
    {
        var changeAt = total.Series.Times[from];
        var endAt = total.Series.Times[to];
        var childShifts = new List<ChildContribution>();
        foreach (var child in children)
        {
            var tolerance = sameShiftWithinBuckets * (child.Series.Width > total.Series.Width ? child.Series.Width : total.Series.Width);
            var match = child.Live.Findings
                .Where(f => Distance(child.Series.Times[f.Start], changeAt) <= tolerance)
                .OrderBy(f => Distance(child.Series.Times[f.Start], changeAt))
                .FirstOrDefault();
            if (match is not null && double.IsFinite(match.Relative))
            {
                childShifts.Add(new ChildContribution(child.Series.Metric.Key, match.Relative));
            }
        }

        var (totalChange, _) = total.ChangeOver(from, to);
        var shares = new List<SegmentContribution>();
        foreach (var segment in segments)
        {
            var k = segment.Series.IndexOf(changeAt);
            var end = segment.Series.IndexOf(endAt);
            if (k < 0 || end < k || totalChange == 0)
            {
                continue;
            }

            var (change, expected) = segment.ChangeOver(k, end);
            shares.Add(new SegmentContribution(segment.Series.Segment, change / totalChange, expected != 0 ? change / expected : 0));
        }

        return new AlertContributors(
            [.. childShifts.OrderByDescending(c => Math.Abs(c.RelativeChange))],
            [.. shares.Where(s => s.Share >= MinShare).OrderByDescending(s => s.Share).Take(MaxSegments)]);
    }

    private static TimeSpan Distance(DateTime a, DateTime b) => (a - b).Duration();
}
