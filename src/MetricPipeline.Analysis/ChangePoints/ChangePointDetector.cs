using MetricPipeline.Analysis.Statistics;

namespace MetricPipeline.Analysis.ChangePoints;

/// <summary>
/// The project's single default change-point configuration (used unchanged for every series by
/// <c>metricpipe changepoints</c> and by the detector), and the preprocessing it relies on.
/// </summary>
public static class ChangePointDetector
{
    /// <summary>The default configuration; see docs/DETECTION.md for how it was chosen and how it scores.</summary>
    public static ChangePointOptions Default { get; } = new()
    {
        Model = SegmentModel.LinearTrend,
        Method = SearchMethod.Pelt,
        PenaltyPerLogN = 8,
        MinSegmentLength = 5,
        ClipAt = 3,
        ClipWindow = 5,
        ScaleFloor = 0.2,
    };

    /// <summary>
    /// Change points of <paramref name="y"/> (0-based index of the first observation of each new segment, ascending).
    /// The series is divided by a robust noise scale σ̂ (1.4826·MAD of first differences / √2), optionally
    /// winsorised against a running median, and segmented with the configured cost, search and penalty.
    /// </summary>
    public static int[] Detect(ReadOnlySpan<double> y, ChangePointOptions? options = null)
    {
        options ??= Default;
        var scaled = ScaleToUnitNoise(y, options.ScaleFloor);
        if (scaled is null)
        {
            return [];
        }

        if (!double.IsPositiveInfinity(options.ClipAt))
        {
            Winsorise(scaled, options.ClipAt, options.ClipWindow);
        }

        return Segment(scaled, options);
    }

    /// <summary>
    /// The search step of <see cref="Detect"/> alone, on a series already scaled to unit noise (and winsorised if the
    /// configuration clips): for callers that need the scaled series themselves and should not compute it twice.
    /// </summary>
    public static int[] Segment(ReadOnlySpan<double> scaled, ChangePointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var n = scaled.Length;
        ISegmentCost cost = options.Model switch
        {
            SegmentModel.Mean => new NormalMeanCost(scaled),
            SegmentModel.LinearTrend => new LinearTrendCost(scaled),
            SegmentModel.MeanVariance => new NormalMeanVarianceCost(scaled, 1e-4),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Model, "unknown segment model"),
        };
        var penalty = options.Penalty ?? (options.PenaltyPerLogN * Math.Log(Math.Max(n, 2)));
        var segmentation = options.Method == SearchMethod.Pelt
            ? Pelt.Detect(cost, penalty, options.MinSegmentLength)
            : BinarySegmentation.Detect(cost, penalty, options.MinSegmentLength);
        return segmentation.ChangePoints;
    }

    /// <summary>
    /// Robust noise scale σ̂ = max(1.4826·MAD(Δy)/√2, floor · 1.4826·MAD(y)); when more than half the differences are
    /// equal (step-like data) the mean absolute difference ·√(π/2)/√2 replaces the MAD of differences. 0 when the
    /// series has no variation.
    /// </summary>
    public static double NoiseScale(ReadOnlySpan<double> y, double scaleFloor = 0)
    {
        if (y.Length < 3)
        {
            return 0;
        }

        var sigma = RobustStatistics.DifferenceScale(y);
        if (!(sigma > 0))
        {
            var total = 0.0;
            for (var i = 1; i < y.Length; i++)
            {
                total += Math.Abs(y[i] - y[i - 1]);
            }

            sigma = total / (y.Length - 1) * Math.Sqrt(Math.PI / 2) / Math.Sqrt(2);
        }

        if (scaleFloor > 0)
        {
            var center = RobustStatistics.Median(y);
            sigma = Math.Max(sigma, scaleFloor * RobustStatistics.MadToSigma * RobustStatistics.MedianAbsoluteDeviation(y, center));
        }

        return sigma > 0 && !double.IsInfinity(sigma) ? sigma : 0;
    }

    /// <summary>(y − median y) / σ̂ with σ̂ from <see cref="NoiseScale"/>; null when the series is too short or constant.</summary>
    public static double[]? ScaleToUnitNoise(ReadOnlySpan<double> y, double scaleFloor = 0)
    {
        var sigma = NoiseScale(y, scaleFloor);
        if (sigma == 0)
        {
            return null;
        }

        var center = RobustStatistics.Median(y);
        var scaled = new double[y.Length];
        for (var i = 0; i < y.Length; i++)
        {
            scaled[i] = (y[i] - center) / sigma;
        }

        return scaled;
    }

    /// <summary>Clips each point to within ±<paramref name="limit"/> of the median of its centred window of <paramref name="window"/> points.</summary>
    public static void Winsorise(Span<double> z, double limit, int window)
    {
        var half = Math.Max(window / 2, 1);
        if (half == 2)
        {
            WinsoriseFive(z, limit);
            return;
        }

        var medians = new double[z.Length];
        Span<double> scratch = 2 * half < 64 ? stackalloc double[(2 * half) + 1] : new double[(2 * half) + 1];
        for (var i = 0; i < z.Length; i++)
        {
            var from = Math.Max(0, i - half);
            var to = Math.Min(z.Length, i + half + 1);
            var windowValues = scratch[..(to - from)];
            z[from..to].CopyTo(windowValues);
            medians[i] = RobustStatistics.MedianInPlace(windowValues);
        }

        for (var i = 0; i < z.Length; i++)
        {
            z[i] = Math.Clamp(z[i], medians[i] - limit, medians[i] + limit);
        }
    }

    /// <summary><see cref="Winsorise"/> for the default 5-point window: medians by a small insertion sort, no allocation per point.</summary>
    private static void WinsoriseFive(Span<double> z, double limit)
    {
        var medians = new double[z.Length];
        Span<double> w = stackalloc double[5];
        for (var i = 0; i < z.Length; i++)
        {
            var from = Math.Max(0, i - 2);
            var to = Math.Min(z.Length, i + 3);
            var count = to - from;
            for (var k = 0; k < count; k++)
            {
                var v = z[from + k];
                var j = k - 1;
                while (j >= 0 && w[j] > v)
                {
                    w[j + 1] = w[j];
                    j--;
                }

                w[j + 1] = v;
            }

            medians[i] = count % 2 == 1 ? w[count / 2] : 0.5 * (w[(count / 2) - 1] + w[count / 2]);
        }

        for (var i = 0; i < z.Length; i++)
        {
            z[i] = Math.Clamp(z[i], medians[i] - limit, medians[i] + limit);
        }
    }
}
