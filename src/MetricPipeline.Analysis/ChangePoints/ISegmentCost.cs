namespace MetricPipeline.Analysis.ChangePoints;

/// <summary>
/// A segment cost C(y[start..end)) for penalised segmentation: the quantity summed over segments and minimised
/// together with a penalty per change point. Implementations precompute cumulative sums so each call is O(1).
/// </summary>
public interface ISegmentCost
{
    /// <summary>Number of observations in the series.</summary>
    int Length { get; }

    /// <summary>Cost of the half-open segment [<paramref name="start"/>, <paramref name="end"/>).</summary>
    double Cost(int start, int end);
}
