using MetricPipeline.Analysis.Statistics;

namespace MetricPipeline.Analysis.Anomalies;

/// <summary>Robust z-scores: how many robust standard deviations each point lies from the bulk of the sample.</summary>
public static class RobustScore
{
    /// <summary>
    /// zᵢ = (xᵢ − median x) / (1.4826 · MAD x). When more than half the points are equal (MAD = 0) the mean absolute
    /// deviation about the median, times √(π/2), stands in for σ; if that is 0 too every score is 0.
    /// Returns the median used as the centre.
    /// </summary>
    public static double Compute(ReadOnlySpan<double> x, Span<double> scores)
    {
        if (scores.Length != x.Length)
        {
            throw new ArgumentException("scores must have the same length as the sample", nameof(scores));
        }

        var center = RobustStatistics.Median(x);
        var sigma = RobustStatistics.MadToSigma * RobustStatistics.MedianAbsoluteDeviation(x, center);
        if (!(sigma > 0))
        {
            var total = 0.0;
            foreach (var v in x)
            {
                total += Math.Abs(v - center);
            }

            sigma = x.Length == 0 ? 0 : total / x.Length * Math.Sqrt(Math.PI / 2);
        }

        for (var i = 0; i < x.Length; i++)
        {
            scores[i] = sigma > 0 ? (x[i] - center) / sigma : 0;
        }

        return center;
    }
}
