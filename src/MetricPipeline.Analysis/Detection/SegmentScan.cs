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
    /// <summary>
    /// A segment and its statistic; <see cref="EarliestStart"/>..<see cref="LatestStart"/> are the onsets the data cannot
    /// tell from the best one (their statistic within 3 of its: about a 95 % likelihood interval).
    /// </summary>
    public readonly record struct Segment(int Start, int End, double Statistic)
    {
        public int EarliestStart { get; init; } = Start;

        public int LatestStart { get; init; } = Start;
    }

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
    /// <remarks>
    /// The shared error b ~ N(0, v) moves every error of the window alike, so the buckets outside a segment measure it:
    /// given their (clipped) sum O over M buckets, b̂ = O/(1/v + M) with variance v' = 1/(1/v + M), and a segment is
    /// tested as (S − L·b̂)²/(2·(L + L²·v')): a two-sample comparison with the rest of the window, the learned level its
    /// prior. A drop that covers the newest third of the window is then judged against the two days before it as well
    /// as the weeks before those, which both sharpens its onset and keeps a baseline that is a little off from looking
    /// like a shift.
    /// </remarks>
    public static List<Segment> Find(ReadOnlySpan<double> errors, double clip, double levelVariance, double threshold, int maxSegments = 4)
    {
        var n = errors.Length;
        var prefix = new double[n + 1];
        for (var t = 0; t < n; t++)
        {
            prefix[t + 1] = prefix[t] + (Isolated(errors, t) ? 0 : Math.Clamp(errors[t], -clip, clip));
        }

        // First segments of two or more on clipped errors, strongest first; then single buckets not covered by them on
        // their own, unclipped errors — the first hour of an outage or a deep drop, or a spike.
        var taken = new bool[n];
        var found = new List<Segment>();
        double freeSum = prefix[n], freeCount = n;
        while (found.Count < maxSegments)
        {
            var best = new Segment(-1, -1, 0);
            for (var i = 0; i < n; i++)
            {
                for (var j = i + 1; j < n && !taken[i] && !taken[j]; j++)
                {
                    var s = prefix[j + 1] - prefix[i];
                    var l = j - i + 1;
                    var g = Statistic(s, l, freeSum - s, freeCount - l, levelVariance);
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

            freeSum -= prefix[best.End + 1] - prefix[best.Start];
            freeCount -= best.End - best.Start + 1;
        }

        // The onset on unclipped errors: clipping makes a deep drop's buckets look like a mild one's, so a noisy bucket
        // or two before it could join the segment. The start moves by at most three buckets within free ones.
        for (var k = 0; k < found.Count; k++)
        {
            var (onset, earliest, latest) = Onset(errors, found[k], taken, levelVariance, freeSum, freeCount, prefix);
            found[k] = found[k] with { Start = onset, EarliestStart = earliest, LatestStart = latest };
        }

        for (var t = 0; t < n && found.Count < 2 * maxSegments; t++)
        {
            if (taken[t])
            {
                continue;
            }

            var clipped = Isolated(errors, t) ? 0 : Math.Clamp(errors[t], -clip, clip);
            var g = Statistic(errors[t], 1, freeSum - clipped, freeCount - 1, levelVariance);
            if (g > threshold)
            {
                found.Add(new Segment(t, t, g));
            }
        }

        return found;
    }

    private static (int Onset, int Earliest, int Latest) Onset(
        ReadOnlySpan<double> errors, Segment segment, bool[] taken, double levelVariance, double freeSum, double freeCount, double[] prefix)
    {
        var outsideSum = freeSum + (prefix[segment.End + 1] - prefix[segment.Start]);
        var outsideCount = freeCount + (segment.End - segment.Start + 1);
        var from = Math.Max(0, segment.Start - 6);
        var to = Math.Min(segment.End - 1, segment.Start + 6);
        var statistics = new double[to - from + 1];
        var best = segment.Start;
        var bestG = double.NegativeInfinity;
        for (var start = from; start <= to; start++)
        {
            statistics[start - from] = double.NegativeInfinity;
            if (start < segment.Start && taken[start])
            {
                continue;
            }

            double sum = 0;
            for (var t = start; t <= segment.End; t++)
            {
                sum += Isolated(errors, t) ? 0 : errors[t];
            }

            var length = segment.End - start + 1;
            var clippedInside = prefix[segment.End + 1] - prefix[start];
            var g = Statistic(sum, length, outsideSum - clippedInside, outsideCount - length, levelVariance);
            statistics[start - from] = g;

            // The onset itself moves by at most three buckets from the clipped scan's; the interval looks further.
            if (Math.Abs(start - segment.Start) <= 3 && g > bestG)
            {
                (best, bestG) = (start, g);
            }
        }

        var (earliest, latest) = (best, best);
        while (earliest > from && statistics[earliest - 1 - from] >= bestG - 3)
        {
            earliest--;
        }

        while (latest < to && statistics[latest + 1 - from] >= bestG - 3)
        {
            latest++;
        }

        return (best, earliest, latest);
    }

    /// <summary>
    /// A lone extreme bucket — beyond ±6 while both neighbours are within ±3 — is a spike or a one-hour dip: it counts
    /// as missing in segments of two or more (a spike must not lift the mean of the day around it into a level shift)
    /// and is tested on its own. The newest bucket has no later neighbour and is never lone.
    /// </summary>
    internal static bool Isolated(ReadOnlySpan<double> errors, int t) =>
        t > 0 && t + 1 < errors.Length && Math.Abs(errors[t]) > 6 && Math.Abs(errors[t - 1]) <= 3 && Math.Abs(errors[t + 1]) <= 3;

    /// <summary>
    /// The shared error as the other buckets measure it: b̂ and its variance v' from the (clipped) sum and count of the
    /// errors outside a segment and the prior variance <paramref name="levelVariance"/>.
    /// </summary>
    public static (double Offset, double Variance) SharedError(double outsideSum, double outsideCount, double levelVariance)
    {
        if (!(levelVariance > 0))
        {
            return (0, 0);
        }

        var precision = (1 / levelVariance) + Math.Max(0, outsideCount);
        return (outsideSum / precision, 1 / precision);
    }

    private static double Statistic(double sum, int length, double outsideSum, double outsideCount, double levelVariance)
    {
        var (offset, variance) = SharedError(outsideSum, outsideCount, levelVariance);
        var contrast = sum - (length * offset);
        return contrast * contrast / (2 * (length + (length * (double)length * variance)));
    }
}
