using MetricPipeline.Analysis.Decomposition;

namespace MetricPipeline.Analysis.Statistics;

/// <summary>Order statistics that a few gross outliers cannot move.</summary>
public static class RobustStatistics
{
    /// <summary>Consistency constant that makes the MAD estimate σ for Normal data: 1 / Φ⁻¹(3/4).</summary>
    public const double MadToSigma = 1.4826;

    /// <summary>The sample median (mean of the two middle order statistics when the count is even). NaN for an empty span.</summary>
    public static double Median(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        var copy = values.ToArray();
        return MedianInPlace(copy);
    }

    /// <summary>
    /// The median of <paramref name="values"/>, reordering them: O(n) selection of the middle order statistic(s)
    /// instead of a full sort. The value is the same as sorting and taking the middle. NaN for an empty span.
    /// </summary>
    public static double MedianInPlace(Span<double> values)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        var mid = values.Length / 2;
        var upper = Selection.Select(values, mid);
        if (values.Length % 2 == 1)
        {
            return upper;
        }

        // After selection everything left of mid is ≤ the mid-th value: the other middle value is their maximum.
        var lower = double.NegativeInfinity;
        foreach (var v in values[..mid])
        {
            lower = Math.Max(lower, v);
        }

        return 0.5 * (lower + upper);
    }

    /// <summary>Median absolute deviation about <paramref name="center"/>: median |xᵢ − center| (unscaled).</summary>
    public static double MedianAbsoluteDeviation(ReadOnlySpan<double> values, double center)
    {
        var deviations = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            deviations[i] = Math.Abs(values[i] - center);
        }

        return MedianInPlace(deviations);
    }

    /// <summary>
    /// Noise scale from first differences: σ̂ = 1.4826 · MAD(Δy) / √2. Differencing removes the level (and turns a
    /// constant slope into a constant the median absorbs), so level shifts and trends barely move the estimate; √2
    /// undoes the variance doubling of a difference of two independent errors. This is the scale R users pass to
    /// <c>changepoint</c> as <c>y / (mad(diff(y)) / sqrt(2))</c>.
    /// </summary>
    public static double DifferenceScale(ReadOnlySpan<double> y)
    {
        if (y.Length < 3)
        {
            return 0;
        }

        var diff = new double[y.Length - 1];
        for (var i = 1; i < y.Length; i++)
        {
            diff[i - 1] = y[i] - y[i - 1];
        }

        var center = MedianInPlace(diff);
        return MadToSigma * MedianAbsoluteDeviation(diff, center) / Math.Sqrt(2);
    }
}
