namespace MetricPipeline.Analysis.Evaluation;

/// <summary>Counts of a one-to-one matching of detected to true change points.</summary>
public sealed record MatchCounts(int TruePositives, int FalsePositives, int FalseNegatives)
{
    public double Precision => TruePositives + FalsePositives == 0 ? 1 : (double)TruePositives / (TruePositives + FalsePositives);

    public double Recall => TruePositives + FalseNegatives == 0 ? 1 : (double)TruePositives / (TruePositives + FalseNegatives);

    /// <summary>F1 = 2PR/(P+R); 1 when there was nothing to find and nothing was found.</summary>
    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);

    public static MatchCounts operator +(MatchCounts a, MatchCounts b) =>
        new(a.TruePositives + b.TruePositives, a.FalsePositives + b.FalsePositives, a.FalseNegatives + b.FalseNegatives);
}

/// <summary>Matches detected change points to true ones within a tolerance.</summary>
public static class ShiftMatching
{
    /// <summary>
    /// Each true point (ascending) takes the nearest unused detection within ±<paramref name="tolerance"/>; matched
    /// pairs are true positives, unmatched detections false positives, unmatched truths false negatives.
    /// </summary>
    public static MatchCounts Match(IReadOnlyList<int> truth, IReadOnlyList<int> detected, int tolerance)
    {
        var unused = new List<int>(detected);
        var tp = 0;
        foreach (var tau in truth.Order())
        {
            var best = -1;
            for (var i = 0; i < unused.Count; i++)
            {
                if (Math.Abs(unused[i] - tau) <= tolerance && (best < 0 || Math.Abs(unused[i] - tau) < Math.Abs(unused[best] - tau)))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                unused.RemoveAt(best);
                tp++;
            }
        }

        return new MatchCounts(tp, detected.Count - tp, truth.Count - tp);
    }
}
