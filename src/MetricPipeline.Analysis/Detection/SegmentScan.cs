namespace MetricPipeline.Analysis.Detection;

/// <summary>
/// Likelihood-ratio scan for a segment of shifted mean in standardised errors e (N(0, 1) under no change):
/// G(i, j) = S²/(2·(L + L²·v)) with S = Σ_{t=i..j} e_t and L = j − i + 1 — the generalised likelihood ratio of "the
/// mean moved by an unknown amount from i to j" against "it did not", where v is the variance (in units of one error)
/// of the baseline level the errors share. In segments of two or more, each error is clipped at ±clip first.
/// </summary>
/// <remarks>
/// Run on every pass over the newest observations, this is the window-limited GLR change detector (Lai 1998; Siegmund
/// and Venkatraman 1995) with "epidemic" alternatives: a segment that ends before the newest observation is a dip or
/// spike that is over, one that reaches it an ongoing change. The onset estimate is the segment's start. For
/// independent errors the alarm rate per observation is about e^(−h)/1.8 for a 72-observation window, clip 3 and
/// v = 1/168 (simulated, 3·10⁶ observations), so the threshold for a false-alert rate F per year of N observations is
/// h = ln(N / (1.8·F)). Autocorrelation is handled by the caller scaling the errors by its long-run factor.
/// </remarks>
public static class SegmentScan
{
    /// <summary>A segment and its statistic.</summary>
    public readonly record struct Segment(int Start, int End, double Statistic);

    /// <summary>The threshold for <paramref name="falseAlertsPerYear"/> at <paramref name="observationsPerYear"/>.</summary>
    public static double Threshold(double falseAlertsPerYear, double observationsPerYear)
    {
        if (!(falseAlertsPerYear > 0) || !(observationsPerYear > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(falseAlertsPerYear), "the false-alert rate and the observations per year must be positive");
        }

        return Math.Max(2, Math.Log(observationsPerYear / (1.8 * falseAlertsPerYear)));
    }

    /// <summary>
    /// Disjoint segments of <paramref name="errors"/> whose statistic exceeds <paramref name="threshold"/>, strongest
    /// first, at most <paramref name="maxSegments"/>.
    /// </summary>
    public static List<Segment> Find(ReadOnlySpan<double> errors, double clip, double levelVariance, double threshold, int maxSegments = 4)
    {
        var n = errors.Length;
        var prefix = new double[n + 1];
        for (var t = 0; t < n; t++)
        {
            prefix[t + 1] = prefix[t] + Math.Clamp(errors[t], -clip, clip);
        }

        // First segments of two or more on clipped errors, strongest first; then single buckets not covered by them on
        // their own, unclipped errors — the first hour of an outage or a deep drop, or a spike.
        var taken = new bool[n];
        var found = new List<Segment>();
        while (found.Count < maxSegments)
        {
            var best = new Segment(-1, -1, 0);
            for (var i = 0; i < n; i++)
            {
                for (var j = i + 1; j < n && !taken[i] && !taken[j]; j++)
                {
                    var s = prefix[j + 1] - prefix[i];
                    var l = j - i + 1;
                    var g = s * s / (2 * (l + (l * (double)l * levelVariance)));
                    if (g > best.Statistic)
                    {
                        best = new Segment(i, j, g);
                    }
                }
            }

            if (best.Start < 0 || best.Statistic <= threshold)
            {
                break;
            }

            found.Add(best);
            for (var t = best.Start; t <= best.End; t++)
            {
                taken[t] = true;
            }
        }

        for (var t = 0; t < n && found.Count < 2 * maxSegments; t++)
        {
            var g = errors[t] * errors[t] / (2 * (1 + levelVariance));
            if (!taken[t] && g > threshold)
            {
                found.Add(new Segment(t, t, g));
            }
        }

        return found;
    }
}
