namespace MetricPipeline.Analysis.Decomposition;

/// <summary>STL's robustness weights: bisquare of the residuals scaled by six median absolute residuals.</summary>
internal static class RobustnessWeights
{
    /// <summary>
    /// With r_i = |y_i − fit_i| and h = 6·median(r) (the exact median: the mean of the two middle values when n is
    /// even), w_i = (1 − (r_i / h)²)², set to 1 when r_i ≤ 0.001·h and to 0 when r_i &gt; 0.999·h.
    /// </summary>
    /// <remarks>
    /// R's Fortran asks its partial sort for the two middle ranks in descending order, which for even n sometimes
    /// yields a value other than the median; we use the exact median, as statsmodels does. For odd n both agree.
    /// </remarks>
    public static void Compute(ReadOnlySpan<double> y, ReadOnlySpan<double> seasonal, ReadOnlySpan<double> trend, Span<double> weights, Span<double> scratch)
    {
        var n = y.Length;
        var residuals = scratch[..n];
        for (var i = 0; i < n; i++)
        {
            residuals[i] = Math.Abs(y[i] - (trend[i] + seasonal[i]));
        }

        var upper = Selection.Select(residuals, n / 2);
        var lower = n % 2 == 1 ? upper : Selection.MaxOf(residuals[..(n / 2)]);
        var cmad = 3.0 * (upper + lower);
        var c9 = 0.999 * cmad;
        var c1 = 0.001 * cmad;
        for (var i = 0; i < n; i++)
        {
            var r = Math.Abs(y[i] - (trend[i] + seasonal[i]));
            if (r <= c1)
            {
                weights[i] = 1.0;
            }
            else if (r <= c9)
            {
                var q = r / cmad;
                var c = 1.0 - (q * q);
                weights[i] = c * c;
            }
            else
            {
                weights[i] = 0.0;
            }
        }
    }
}
