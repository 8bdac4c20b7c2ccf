namespace MetricPipeline.Analysis.ChangePoints;

/// <summary>Segment model for <see cref="ChangePointDetector"/>.</summary>
public enum SegmentModel
{
    /// <summary>Piecewise-constant mean, noise σ estimated robustly (<see cref="NormalMeanCost"/>).</summary>
    Mean,

    /// <summary>Piecewise-linear level and slope, noise σ estimated robustly (<see cref="LinearTrendCost"/>).</summary>
    LinearTrend,

    /// <summary>Piecewise mean and variance (<see cref="NormalMeanVarianceCost"/>).</summary>
    MeanVariance,
}

/// <summary>Search method for <see cref="ChangePointDetector"/>.</summary>
public enum SearchMethod
{
    /// <summary>Exact penalised optimum (<see cref="Pelt"/>).</summary>
    Pelt,

    /// <summary>Greedy top-down splitting (<see cref="BinarySegmentation"/>).</summary>
    BinarySegmentation,
}

/// <summary>
/// One change-point configuration. The penalty per change point is β = <see cref="PenaltyPerLogN"/> · log n on the
/// series scaled to unit noise; <see cref="ClipAt"/> winsorises single-point outliers at that many σ̂ from a running
/// median before the search, so a spike cannot buy a segment.
/// </summary>
public sealed record ChangePointOptions
{
    public SegmentModel Model { get; init; } = SegmentModel.Mean;
    public SearchMethod Method { get; init; } = SearchMethod.Pelt;
    public double PenaltyPerLogN { get; init; } = 3.0;
    public int MinSegmentLength { get; init; } = 2;
    public double ClipAt { get; init; } = double.PositiveInfinity;
    public int ClipWindow { get; init; } = 5;

    /// <summary>
    /// Lower bound on the noise scale as a fraction of the series' overall spread (1.4826·MAD about the median):
    /// σ̂ = max(σ̂_diff, floor·σ̂_overall). Keeps very smooth or step-like series from being cut at every wiggle.
    /// </summary>
    public double ScaleFloor { get; init; }

    /// <summary>Explicit penalty β (in units of the scaled series' cost); overrides <see cref="PenaltyPerLogN"/> when set.</summary>
    public double? Penalty { get; init; }
}
