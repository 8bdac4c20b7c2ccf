namespace MetricPipeline.Analysis.Evaluation;

/// <summary>
/// The change-point metrics of van den Burg &amp; Williams, "An Evaluation of Change Point Detection Algorithms"
/// (arXiv:2003.06222), as TCPDBench computes them: F1 with a margin over several annotators, and segmentation
/// covering. Change points are 0-based indices of the first observation of a new segment.
/// </summary>
public static class TcpdScoring
{
    /// <summary>TCPDBench's default margin: a prediction within ±5 observations of a true change point matches it.</summary>
    public const int DefaultMargin = 5;

    /// <summary>
    /// The cleaning TCPDBench applies to a method's output before scoring: duplicates removed and any index outside
    /// 1 … n−2 dropped, ascending.
    /// </summary>
    public static int[] Clean(IEnumerable<int> predictions, int n) =>
        [.. predictions.Where(p => p >= 1 && p <= n - 2).Distinct().Order()];

    /// <summary>
    /// F1 = 2PR/(P+R). Index 0 is added to every annotator's set and to the predictions. Precision P = |TP(∪ₖTₖ, X)| / |X|;
    /// recall R = (1/K)·Σₖ |TP(Tₖ, X)| / |Tₖ|, where TP(T, X) matches each true point (ascending) to the nearest
    /// still-unused prediction within ±margin (ties to the smaller index).
    /// </summary>
    public static double F1(IReadOnlyList<IReadOnlyList<int>> annotations, IEnumerable<int> predictions, int margin = DefaultMargin)
    {
        ArgumentOutOfRangeException.ThrowIfZero(annotations.Count);
        var x = new SortedSet<int>(predictions) { 0 };
        var union = new SortedSet<int> { 0 };
        foreach (var annotator in annotations)
        {
            union.UnionWith(annotator);
        }

        var precision = (double)TruePositives(union, x, margin) / x.Count;
        var recall = 0.0;
        foreach (var annotator in annotations)
        {
            var truth = new SortedSet<int>(annotator) { 0 };
            recall += (double)TruePositives(truth, x, margin) / truth.Count;
        }

        recall /= annotations.Count;
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }

    /// <summary>
    /// Segmentation covering averaged over annotators: for annotator k with partition Aₖ of 0 … n−1 and the predicted
    /// partition P, C(Aₖ) = (1/n) Σ_{A∈Aₖ} |A| · max_{B∈P} |A∩B| / |A∪B|; the result is the mean of C(Aₖ) over k.
    /// </summary>
    public static double Covering(IReadOnlyList<IReadOnlyList<int>> annotations, IEnumerable<int> predictions, int n)
    {
        ArgumentOutOfRangeException.ThrowIfZero(annotations.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        var predicted = Boundaries(predictions, n);
        var total = 0.0;
        foreach (var annotator in annotations)
        {
            var truth = Boundaries(annotator, n);
            var cover = 0.0;
            for (var i = 0; i + 1 < truth.Length; i++)
            {
                var (a0, a1) = (truth[i], truth[i + 1]);
                var bestOverlap = 0.0;
                for (var j = 0; j + 1 < predicted.Length; j++)
                {
                    var (b0, b1) = (predicted[j], predicted[j + 1]);
                    var intersection = Math.Min(a1, b1) - Math.Max(a0, b0);
                    if (intersection <= 0)
                    {
                        continue;
                    }

                    var union = Math.Max(a1, b1) - Math.Min(a0, b0);
                    bestOverlap = Math.Max(bestOverlap, (double)intersection / union);
                }

                cover += (a1 - a0) * bestOverlap;
            }

            total += cover / n;
        }

        return total / annotations.Count;
    }

    private static int TruePositives(SortedSet<int> truth, SortedSet<int> predictions, int margin)
    {
        var unused = new SortedSet<int>(predictions);
        var count = 0;
        foreach (var tau in truth)
        {
            var view = unused.GetViewBetween(tau - margin, tau + margin);
            if (view.Count == 0)
            {
                continue;
            }

            var nearest = view.Min;
            foreach (var candidate in view)
            {
                if (Math.Abs(candidate - tau) < Math.Abs(nearest - tau))
                {
                    nearest = candidate;
                }
            }

            unused.Remove(nearest);
            count++;
        }

        return count;
    }

    /// <summary>Segment boundaries 0 = b₀ &lt; b₁ &lt; … &lt; n from change points inside 1 … n−1.</summary>
    private static int[] Boundaries(IEnumerable<int> changePoints, int n) =>
        [0, .. changePoints.Where(c => c > 0 && c < n).Distinct().Order(), n];
}
