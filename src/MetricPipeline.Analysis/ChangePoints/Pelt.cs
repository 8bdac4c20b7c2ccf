using System.Runtime.Intrinsics;

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

        // Surviving candidates s, with F(s) kept alongside so the inner loops read memory in order.
        var candidates = new int[n + 1];
        var candidateBest = new double[n + 1];
        var values = new double[n + 1];
        candidates[0] = 0;
        candidateBest[0] = best[0];
        candidates[1] = minSegmentLength;
        candidateBest[1] = best[minSegmentLength];
        var count = 2;
        for (var t = 2 * minSegmentLength; t <= n; t++)
        {
            var live = candidates.AsSpan(0, count);
            var liveBest = candidateBest.AsSpan(0, count);
            var liveValues = values.AsSpan(0, count);
            cost.Costs(live, t, liveValues);
            var min = AddAndMinimise(liveBest, liveValues, penalty);

            // The first candidate reaching the minimum wins ties, as in R.
            var first = liveValues.IndexOf(min);
            best[t] = min;
            last[t] = live[first];

            var kept = 0;
            var threshold = min + penalty;
            for (var i = 0; i < live.Length; i++)
            {
                // Branch-free compaction: always copy, advance only for survivors.
                candidates[kept] = live[i];
                candidateBest[kept] = liveBest[i];
                kept += liveValues[i] <= threshold ? 1 : 0;
            }

            candidates[kept] = t - minSegmentLength + 1;
            candidateBest[kept] = best[t - minSegmentLength + 1];
            count = kept + 1;
        }

        var points = new List<int>();
        for (var t = last[n]; t > 0; t = last[t])
        {
            points.Add(t);
        }

        points.Reverse();
        return new Segmentation([.. points], best[n]);
    }

    /// <summary>values[i] ← (F(sᵢ) + values[i]) + β (that order, as the scalar recursion adds), and the minimum.</summary>
    private static double AddAndMinimise(ReadOnlySpan<double> candidateBest, Span<double> values, double penalty)
    {
        var i = 0;
        var min = double.PositiveInfinity;
        if (Vector256.IsHardwareAccelerated && values.Length >= 8)
        {
            var beta = Vector256.Create(penalty);
            var lowest = Vector256.Create(double.PositiveInfinity);
            for (; i + 4 <= values.Length; i += 4)
            {
                var v = Vector256.Create<double>(candidateBest[i..]) + Vector256.Create<double>(values[i..]) + beta;
                v.CopyTo(values[i..]);
                lowest = Vector256.Min(lowest, v);
            }

            for (var lane = 0; lane < 4; lane++)
            {
                min = Math.Min(min, lowest[lane]);
            }
        }

        for (; i < values.Length; i++)
        {
            var v = candidateBest[i] + values[i] + penalty;
            values[i] = v;
            min = Math.Min(min, v);
        }

        return min;
    }
}
