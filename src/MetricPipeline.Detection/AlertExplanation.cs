using MetricPipeline.Analysis.Impact;

namespace MetricPipeline.Detection;

public sealed record ChildContribution(string Metric, double RelativeChange);

/// <summary>A segment's part of a total's change: <see cref="Share"/> = segment change / total change over the same window.</summary>
public sealed record SegmentContribution(string Segment, double Share, double RelativeChange);

public sealed record Contributors(IReadOnlyList<ChildContribution> Children, IReadOnlyList<SegmentContribution> Segments);

/// <summary>
/// Explains a shift of a node's total: the children in the tree whose own series shifted at the same time (either sign;
/// their relative change is the counterfactual effect from their own change point), and the node's segments ranked by their share of the change. A segment's change is the counterfactual effect
/// (observed − expected, summed over the post window) at the same change time; its share is that change divided by
/// the total's. For count and sum metrics the shares of one dimension's values add up to about 1; for ratios they are
/// indicative only (a ratio's total is not the sum of its segments).
/// </summary>
public static class AlertExplanation
{
    public const int MaxSegments = 5;

    /// <summary>Segments carrying less than this share of the change are not listed as contributors.</summary>
    public const double MinShare = 0.05;

    public static Contributors Explain(
        AnalysedSeries total, int changeIndex, EffectEstimate totalEffect, IEnumerable<AnalysedSeries> children,
        IEnumerable<AnalysedSeries> segments, int sameShiftWithinBuckets, double confidence)
    {
        var changeAt = total.Series.Times[changeIndex];
        var childShifts = new List<ChildContribution>();
        foreach (var child in children)
        {
            var tolerance = sameShiftWithinBuckets * (child.Series.Width > total.Series.Width ? child.Series.Width : total.Series.Width);
            var match = child.Detection.ChangePoints
                .Where(cp => cp.RelativeChange is not null && Distance(child.Series.Times[cp.Index], changeAt) <= tolerance)
                .OrderBy(cp => Distance(child.Series.Times[cp.Index], changeAt))
                .FirstOrDefault();
            if (match is not null)
            {
                var effect = match.Index >= 2 ? CounterfactualEffect.Estimate(child.Series.Values, match.Index, child.Series.Periods, confidence: confidence) : null;
                childShifts.Add(new ChildContribution(child.Series.Metric.Key, effect is { Relative: var r } && double.IsFinite(r) ? r : match.RelativeChange!.Value));
            }
        }

        var totalChange = (totalEffect.Observed - totalEffect.Expected) * totalEffect.PostPoints;
        var shares = new List<SegmentContribution>();
        foreach (var segment in segments)
        {
            var k = segment.Series.IndexOf(changeAt);
            var postEnd = segment.Series.IndexOf(total.Series.Times[changeIndex + totalEffect.PostPoints - 1]);
            if (k < 2 || postEnd < k || totalChange == 0)
            {
                continue;
            }

            var effect = CounterfactualEffect.Estimate(segment.Series.Values, k, segment.Series.Periods, postEnd - k + 1, confidence);
            var change = (effect.Observed - effect.Expected) * effect.PostPoints;
            shares.Add(new SegmentContribution(segment.Series.Segment, change / totalChange, double.IsFinite(effect.Relative) ? effect.Relative : 0));
        }

        return new Contributors(
            [.. childShifts.OrderByDescending(c => Math.Abs(c.RelativeChange))],
            [.. shares.Where(s => s.Share >= MinShare).OrderByDescending(s => s.Share).Take(MaxSegments)]);
    }

    private static TimeSpan Distance(DateTime a, DateTime b) => (a - b).Duration();
}
