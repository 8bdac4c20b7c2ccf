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
    /// (y − median y) / σ̂ with σ̂ the first-difference scale; falls back to the mean absolute difference (·√π/2/√2)
    /// when more than half the differences are equal (step-like data). Null when the series is too short or has no
    /// variation at all (nothing to detect).
    /// </summary>
    public static double[]? ScaleToUnitNoise(ReadOnlySpan<double> y, double scaleFloor = 0)
    {
        if (y.Length < 3)
        {
            return null;
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

        var center = RobustStatistics.Median(y);
        if (scaleFloor > 0)
        {
            sigma = Math.Max(sigma, scaleFloor * RobustStatistics.MadToSigma * RobustStatistics.MedianAbsoluteDeviation(y, center));
        }

        if (!(sigma > 0) || double.IsInfinity(sigma))
        {
            return null;
        }

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
        var medians = new double[z.Length];
        for (var i = 0; i < z.Length; i++)
        {
            var from = Math.Max(0, i - half);
            var to = Math.Min(z.Length, i + half + 1);
            medians[i] = RobustStatistics.Median(z[from..to]);
        }

        for (var i = 0; i < z.Length; i++)
        {
            z[i] = Math.Clamp(z[i], medians[i] - limit, medians[i] + limit);
        }
    }
}
