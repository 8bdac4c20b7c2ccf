namespace MetricPipeline.Analysis.ChangePoints;

/// <summary>A segmentation: change points (0-based index of the first observation of each new segment) and the minimised objective.</summary>
public sealed record Segmentation(int[] ChangePoints, double Objective);

/// <summary>
/// PELT (Killick, Fearnhead &amp; Eckley 2012): exact minimisation of Σ_segments C(segment) + β·m over all
/// segmentations with m change points and every segment at least <c>minSegmentLength</c> long, by the recursion
/// F(t) = min_{s} [F(s) + C(s,t) + β], F(0) = −β, with candidate s dropped for good once F(s) + C(s,t) &gt; F(t)
/// (valid when adding a change point never increases the summed cost). The candidate order, tie-breaking (first
/// minimum) and pruning rule follow R's <c>changepoint</c> 2.3 so results match it exactly.
/// </summary>
public static class Pelt
{
    /// <summary>Segments the series behind <paramref name="cost"/>; β = <paramref name="penalty"/> per change point.</summary>
    public static Segmentation Detect(ISegmentCost cost, double penalty, int minSegmentLength = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minSegmentLength, 1);
        if (!(penalty >= 0) || double.IsInfinity(penalty))
        {
            throw new ArgumentOutOfRangeException(nameof(penalty), penalty, "penalty must be a finite number ≥ 0");
        }

        var n = cost.Length;
        if (n == 0)
        {
            return new Segmentation([], 0);
        }

        if (n < 2 * minSegmentLength)
        {
            return new Segmentation([], cost.Cost(0, n));
        }

        var best = new double[n + 1];
        var last = new int[n + 1];
        best[0] = -penalty;
        for (var t = minSegmentLength; t < 2 * minSegmentLength; t++)
        {
            best[t] = cost.Cost(0, t);
        }

        var candidates = new int[n + 1];
        var values = new double[n + 1];
        candidates[0] = 0;
        candidates[1] = minSegmentLength;
        var count = 2;
        for (var t = 2 * minSegmentLength; t <= n; t++)
        {
            var min = double.PositiveInfinity;
            var argMin = 0;
            for (var i = 0; i < count; i++)
            {
                var s = candidates[i];
                var v = best[s] + cost.Cost(s, t) + penalty;
                values[i] = v;
                if (v < min)
                {
                    min = v;
                    argMin = s;
                }
            }

            best[t] = min;
            last[t] = argMin;

            var kept = 0;
            var threshold = min + penalty;
            for (var i = 0; i < count; i++)
            {
                if (values[i] <= threshold)
                {
                    candidates[kept++] = candidates[i];
                }
            }

            candidates[kept++] = t - minSegmentLength + 1;
            count = kept;
        }

        var points = new List<int>();
        for (var t = last[n]; t > 0; t = last[t])
        {
            points.Add(t);
        }

        points.Reverse();
        return new Segmentation([.. points], best[n]);
    }
}
