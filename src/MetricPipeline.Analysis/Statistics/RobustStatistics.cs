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
        Array.Sort(copy);
        var mid = copy.Length / 2;
        return copy.Length % 2 == 1 ? copy[mid] : 0.5 * (copy[mid - 1] + copy[mid]);
    }

    /// <summary>Median absolute deviation about <paramref name="center"/>: median |xᵢ − center| (unscaled).</summary>
    public static double MedianAbsoluteDeviation(ReadOnlySpan<double> values, double center)
    {
        var deviations = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            deviations[i] = Math.Abs(values[i] - center);
        }

        return Median(deviations);
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

        return MadToSigma * MedianAbsoluteDeviation(diff, Median(diff)) / Math.Sqrt(2);
    }
}
