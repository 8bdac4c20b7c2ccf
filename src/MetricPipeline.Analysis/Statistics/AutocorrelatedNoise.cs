namespace MetricPipeline.Analysis.Statistics;

/// <summary>Noise scale for means of serially correlated errors (real metrics wander; they are not white noise).</summary>
public static class AutocorrelatedNoise
{
    /// <summary>Largest lag-1 autocorrelation used, so a near-random-walk remainder cannot make the scale unbounded.</summary>
    public const double MaxAutocorrelation = 0.95;

    /// <summary>
    /// Long-run standard deviation of AR(1)-like errors r: σ_LR = σ̂·√((1 + ρ)/(1 − ρ)), where σ̂ = 1.4826·MAD(r) is
    /// the robust marginal scale and ρ = 1 − σ̂_Δ²/σ̂² the lag-1 autocorrelation implied by the first-difference scale
    /// σ̂_Δ = 1.4826·MAD(Δr)/√2 (for AR(1), Var Δr = 2σ²(1 − ρ)), clamped to [0, <see cref="MaxAutocorrelation"/>].
    /// The variance of a mean of w such errors is ≈ σ_LR²/w, i.e. the effective sample size is w·(1 − ρ)/(1 + ρ).
    /// Returns 0 when r has no spread.
    /// </summary>
    public static double LongRunScale(ReadOnlySpan<double> r, out double autocorrelation)
    {
        autocorrelation = 0;
        if (r.Length < 3)
        {
            return 0;
        }

        var marginal = RobustStatistics.MadToSigma * RobustStatistics.MedianAbsoluteDeviation(r, RobustStatistics.Median(r));
        if (!(marginal > 0))
        {
            return 0;
        }

        var difference = RobustStatistics.DifferenceScale(r);
        autocorrelation = Math.Clamp(1 - (difference * difference / (marginal * marginal)), 0, MaxAutocorrelation);
        return marginal * Math.Sqrt((1 + autocorrelation) / (1 - autocorrelation));
    }

    /// <summary>Lag-1 sample autocorrelation of r around its mean (0 for fewer than 3 values or no variance).</summary>
    public static double LagOneAutocorrelation(double[] r)
    {
        if (r.Length < 3)
        {
            return 0;
        }

        var mean = r.Average();
        double numerator = 0, denominator = 0;
        for (var i = 0; i < r.Length; i++)
        {
            denominator += (r[i] - mean) * (r[i] - mean);
            if (i > 0)
            {
                numerator += (r[i] - mean) * (r[i - 1] - mean);
            }
        }

        return denominator == 0 ? 0 : numerator / denominator;
    }
}
