namespace MetricPipeline.Analysis.ChangePoints;

/// <summary>
/// Change in mean and variance of Normal data: C(a,b) = len · (log 2π + log σ̂² + 1) with σ̂² = RSS/len the segment's
/// maximum-likelihood variance (twice the maximised negative log-likelihood). σ̂² is floored at
/// <c>varianceFloor</c> so constant stretches do not cost −∞; use a minimum segment length of at least 2.
/// </summary>
public sealed class NormalMeanVarianceCost : ISegmentCost
{
    private static readonly double LogTwoPiPlusOne = Math.Log(2 * Math.PI) + 1;
    private readonly double[] sum;
    private readonly double[] sumSquares;
    private readonly double varianceFloor;

    public NormalMeanVarianceCost(ReadOnlySpan<double> y, double varianceFloor)
    {
        sum = new double[y.Length + 1];
        sumSquares = new double[y.Length + 1];
        for (var i = 0; i < y.Length; i++)
        {
            sum[i + 1] = sum[i] + y[i];
            sumSquares[i + 1] = sumSquares[i] + (y[i] * y[i]);
        }

        this.varianceFloor = varianceFloor > 0 ? varianceFloor : 1e-12;
    }

    public int Length => sum.Length - 1;

    public double Cost(int start, int end)
    {
        double len = end - start;
        var s = sum[end] - sum[start];
        var variance = Math.Max((sumSquares[end] - sumSquares[start] - (s * s / len)) / len, varianceFloor);
        return len * (LogTwoPiPlusOne + Math.Log(variance));
    }
}
