namespace MetricPipeline.Analysis.ChangePoints;

/// <summary>Penalties per change point for <see cref="Pelt"/> and <see cref="BinarySegmentation"/>.</summary>
public static class Penalty
{
    /// <summary>Schwarz/BIC for a change in mean: β = 2·log n (one location and one level per change, σ known).</summary>
    public static double Bic(int n) => 2 * Math.Log(n);

    /// <summary>
    /// Modified BIC (Zhang &amp; Siegmund 2007) as R's <c>changepoint</c> uses it: β = 3·log n per change point, with
    /// log(segment length) added to each segment's cost (see <see cref="NormalMeanCost"/>).
    /// </summary>
    public static double Mbic(int n) => 3 * Math.Log(n);
}
