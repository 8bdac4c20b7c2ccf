namespace MetricPipeline.Analysis.Decomposition;

/// <summary>
/// STL's cycle-subseries smoothing: the points at each cycle position (j, j + p, j + 2p, …) are
/// smoothed with LOESS and extended by one fitted point before the first and after the last.
/// </summary>
internal static class CycleSubseries
{
    /// <summary>
    /// Writes the smoothed subseries into <paramref name="extended"/> (length n + 2p): position j of
    /// cycle m (0-based m = 0 … k + 1, where m = 0 and m = k + 1 are the extensions) goes to index m·p + j.
    /// </summary>
    public static void Smooth(
        ReadOnlySpan<double> detrended,
        int period,
        int window,
        int degree,
        int jump,
        ReadOnlySpan<double> robustness,
        Span<double> extended,
        Span<double> subseries,
        Span<double> subRobustness,
        Span<double> fit,
        Span<double> w)
    {
        var n = detrended.Length;
        var useRobustness = !robustness.IsEmpty;
        for (var j = 0; j < period; j++)
        {
            var k = ((n - j - 1) / period) + 1;
            var sub = subseries[..k];
            for (var i = 0; i < k; i++)
            {
                sub[i] = detrended[(i * period) + j];
            }

            var subRw = ReadOnlySpan<double>.Empty;
            if (useRobustness)
            {
                var rw = subRobustness[..k];
                for (var i = 0; i < k; i++)
                {
                    rw[i] = robustness[(i * period) + j];
                }

                subRw = rw;
            }

            var smoothed = fit[..(k + 2)];
            Loess.Smooth(sub, window, degree, jump, subRw, smoothed[1..(k + 1)], w);

            // One-point extension at each end: the local fit evaluated at x = 0 and x = k + 1.
            smoothed[0] = Loess.Estimate(sub, window, degree, 0.0, 1, Math.Min(window, k), w, subRw, out var before)
                ? before
                : smoothed[1];
            smoothed[k + 1] = Loess.Estimate(sub, window, degree, k + 1.0, Math.Max(1, k - window + 1), k, w, subRw, out var after)
                ? after
                : smoothed[k];

            for (var m = 0; m < k + 2; m++)
            {
                extended[(m * period) + j] = smoothed[m];
            }
        }
    }
}
