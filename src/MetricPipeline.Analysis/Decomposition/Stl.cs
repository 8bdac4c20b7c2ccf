namespace MetricPipeline.Analysis.Decomposition;

/// <summary>STL parameters. Null means R's <c>stats::stl</c> default; <see cref="SeasonalWindow"/> null means "periodic".</summary>
public sealed record StlOptions
{
    public required int Period { get; init; }
    public int? SeasonalWindow { get; init; }
    public int SeasonalDegree { get; init; }
    public int? TrendWindow { get; init; }
    public int TrendDegree { get; init; } = 1;
    public int? LowPassWindow { get; init; }
    public int? LowPassDegree { get; init; }
    public int? SeasonalJump { get; init; }
    public int? TrendJump { get; init; }
    public int? LowPassJump { get; init; }
    public int? Inner { get; init; }
    public int? Outer { get; init; }
    public bool Robust { get; init; }
}

public sealed record StlResult(double[] Seasonal, double[] Trend, double[] Remainder, double[] Weights);

public static class Stl
{
    public static StlResult Decompose(ReadOnlySpan<double> y, StlOptions options) =>
        throw new NotImplementedException("STL is being ported; see the analysis issue.");
}
