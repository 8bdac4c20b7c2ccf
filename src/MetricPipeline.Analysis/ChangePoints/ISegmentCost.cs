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

    /// <summary>
    /// Costs of [<paramref name="starts"/>[i], <paramref name="end"/>) for every i, written to <paramref name="costs"/>.
    /// Each value must equal <see cref="Cost"/> bit for bit; implementations override this only to batch the work
    /// (PELT evaluates every surviving candidate against the same end, which is where its time goes).
    /// </summary>
    void Costs(ReadOnlySpan<int> starts, int end, Span<double> costs)
    {
        for (var i = 0; i < starts.Length; i++)
        {
            costs[i] = Cost(starts[i], end);
        }
    }
}
