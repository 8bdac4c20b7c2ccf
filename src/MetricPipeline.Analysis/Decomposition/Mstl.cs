namespace MetricPipeline.Analysis.Decomposition;

/// <summary>MSTL result: one seasonal component per period, ascending by period.</summary>
public sealed record MstlResult(double[] Trend, IReadOnlyList<int> Periods, IReadOnlyList<double[]> Seasonals, double[] Remainder);

public static class Mstl
{
    public static MstlResult Decompose(ReadOnlySpan<double> y, IReadOnlyList<int> periods) =>
        throw new NotImplementedException("MSTL is being ported; see the analysis issue.");
}
