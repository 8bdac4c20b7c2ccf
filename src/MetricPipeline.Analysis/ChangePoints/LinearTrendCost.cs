namespace MetricPipeline.Analysis.ChangePoints;

/// <summary>
/// Change in level and slope of Normal data with known variance σ²: each segment is fitted by least squares with
/// its own line a + b·t, and C(a,b) = RSS / σ², where RSS = Syy − (Sty²·Stt⁻¹) about the segment means
/// (Syy = Σ(y−ȳ)², Sty = Σ(t−t̄)(y−ȳ), Stt = Σ(t−t̄)²). A steady drift therefore costs nothing extra and a jump in
/// level — or a kink — is what buys a new segment. Segments of one point cost 0.
/// </summary>
public sealed class LinearTrendCost : ISegmentCost
{
    private readonly double[] sumY;
    private readonly double[] sumYy;
    private readonly double[] sumTy;
    private readonly double inverseVariance;

    public LinearTrendCost(ReadOnlySpan<double> y, double variance = 1.0)
    {
        if (!(variance > 0) || double.IsInfinity(variance))
        {
            throw new ArgumentOutOfRangeException(nameof(variance), variance, "variance must be a positive finite number");
        }

        sumY = new double[y.Length + 1];
        sumYy = new double[y.Length + 1];
        sumTy = new double[y.Length + 1];
        for (var i = 0; i < y.Length; i++)
        {
            sumY[i + 1] = sumY[i] + y[i];
            sumYy[i + 1] = sumYy[i] + (y[i] * y[i]);
            sumTy[i + 1] = sumTy[i] + (i * y[i]);
        }

        inverseVariance = 1.0 / variance;
    }

    public int Length => sumY.Length - 1;

    public double Cost(int start, int end)
    {
        double len = end - start;
        var sy = sumY[end] - sumY[start];
        var syy = sumYy[end] - sumYy[start] - (sy * sy / len);
        if (len < 3)
        {
            return 0;
        }

        // Times are centred on the segment's midpoint so the sums stay well conditioned for long series.
        var tMean = start + ((len - 1) / 2.0);
        var sty = sumTy[end] - sumTy[start] - (tMean * sy);
        var stt = len * ((len * len) - 1) / 12.0;
        var rss = syy - (sty * sty / stt);
        return Math.Max(rss, 0) * inverseVariance;
    }
}
