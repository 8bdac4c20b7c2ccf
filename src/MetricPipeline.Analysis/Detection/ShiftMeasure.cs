namespace MetricPipeline.Analysis.Detection;

/// <summary>A candidate shift with its local levels, relative change and z-score.</summary>
public sealed record MeasuredShift(int Index, double Before, double After, double? RelativeChange, double Score);

/// <summary>Size and significance of level shifts in a deseasonalised series.</summary>
public static class ShiftMeasure
{
    /// <summary>
    /// For a shift at k between neighbouring boundaries a &lt; k &lt; b: before = mean of d over the last
    /// w₁ = min(k − a, window) points before k, after = mean over the first w₂ = min(b − k, window) points from k;
    /// relative change = (after − before)/|before| (on a log scale, <paramref name="logScale"/>: e^(after − before) − 1);
    /// z = (after − before) / (σ̂·√(1/w₁ + 1/w₂)).
    /// </summary>
    public static MeasuredShift Measure(ReadOnlySpan<double> d, int previous, int index, int next, int window, double sigma, bool logScale = false)
    {
        var w1 = Math.Min(index - previous, window);
        var w2 = Math.Min(next - index, window);
        var before = Mean(d.Slice(index - w1, w1));
        var after = Mean(d.Slice(index, w2));
        double? relative = logScale ? Math.Exp(after - before) - 1 : Math.Abs(before) > 1e-12 ? (after - before) / Math.Abs(before) : null;
        var z = (after - before) / (sigma * Math.Sqrt((1.0 / w1) + (1.0 / w2)));
        return new MeasuredShift(index, before, after, relative, z);
    }

    /// <summary>
    /// Measures every candidate and repeatedly drops the weakest one that fails |relative change| ≥ minRelative
    /// (when defined) or |z| ≥ minScore, re-measuring its neighbours, until all remaining shifts pass.
    /// </summary>
    public static IReadOnlyList<MeasuredShift> Filter(ReadOnlySpan<double> d, List<int> candidates, int window, double sigma, double minRelative, double minScore)
        => Filter(d, candidates, window, sigma, minRelative, minScore, minPersistence: 1);

    /// <summary>
    /// As <see cref="Filter(ReadOnlySpan{double}, List{int}, int, double, double, double)"/>, and a shift also fails when
    /// the level before or after it lasts fewer than <paramref name="minPersistence"/> observations (to the
    /// neighbouring shift or the series' end): a short excursion is a transient, not a new level.
    /// </summary>
    public static IReadOnlyList<MeasuredShift> Filter(ReadOnlySpan<double> d, List<int> candidates, int window, double sigma, double minRelative, double minScore, int minPersistence, bool logScale = false)
    {
        var points = new List<int>(candidates);
        while (true)
        {
            var measured = MeasureAll(d, points, window, sigma, logScale);
            var worst = -1;
            var worstScore = double.PositiveInfinity;
            for (var i = 0; i < measured.Count; i++)
            {
                var m = measured[i];
                var previous = i == 0 ? 0 : points[i - 1];
                var next = i + 1 < points.Count ? points[i + 1] : d.Length;
                var fails = Math.Abs(m.Score) < minScore || (m.RelativeChange is { } r && Math.Abs(r) < minRelative)
                    || m.Index - previous < minPersistence || next - m.Index < minPersistence;
                if (fails && Math.Abs(m.Score) < worstScore)
                {
                    worst = i;
                    worstScore = Math.Abs(m.Score);
                }
            }

            if (worst < 0)
            {
                return measured;
            }

            points.RemoveAt(worst);
        }
    }

    private static List<MeasuredShift> MeasureAll(ReadOnlySpan<double> d, List<int> points, int window, double sigma, bool logScale)
    {
        var result = new List<MeasuredShift>(points.Count);
        for (var i = 0; i < points.Count; i++)
        {
            var previous = i == 0 ? 0 : points[i - 1];
            var next = i + 1 < points.Count ? points[i + 1] : d.Length;
            result.Add(Measure(d, previous, points[i], next, window, sigma, logScale));
        }

        return result;
    }

    private static double Mean(ReadOnlySpan<double> x)
    {
        var s = 0.0;
        foreach (var v in x)
        {
            s += v;
        }

        return s / x.Length;
    }
}
