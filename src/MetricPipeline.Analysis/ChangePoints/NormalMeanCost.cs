namespace MetricPipeline.Analysis.ChangePoints;

/// <summary>
/// Change in mean of Normal data with known variance σ²: C(a,b) = (Σy² − (Σy)²/len) / σ² (twice the negative
/// log-likelihood up to a constant), plus log(len) when <c>mbicLengthTerm</c> is set — the segment-length term of
/// Zhang &amp; Siegmund's modified BIC as R's <c>changepoint</c> adds it.
/// </summary>
public sealed class NormalMeanCost : ISegmentCost
{
    private readonly double[] sum;
    private readonly double[] sumSquares;
    private readonly double inverseVariance;
    private readonly bool mbicLengthTerm;

    public NormalMeanCost(ReadOnlySpan<double> y, double variance = 1.0, bool mbicLengthTerm = false)
    {
        if (!(variance > 0) || double.IsInfinity(variance))
        {
            throw new ArgumentOutOfRangeException(nameof(variance), variance, "variance must be a positive finite number");
        }

        sum = new double[y.Length + 1];
        sumSquares = new double[y.Length + 1];
        for (var i = 0; i < y.Length; i++)
        {
            sum[i + 1] = sum[i] + y[i];
            sumSquares[i + 1] = sumSquares[i] + (y[i] * y[i]);
        }

        inverseVariance = 1.0 / variance;
        this.mbicLengthTerm = mbicLengthTerm;
    }

    public int Length => sum.Length - 1;

    public double Cost(int start, int end)
    {
        var len = end - start;
        var s = sum[end] - sum[start];
        var rss = sumSquares[end] - sumSquares[start] - (s * s / len);
        var cost = rss * inverseVariance;
        return mbicLengthTerm ? cost + Math.Log(len) : cost;
    }
}
