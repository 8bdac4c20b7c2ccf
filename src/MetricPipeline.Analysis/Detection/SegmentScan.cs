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
/// h = ln(N / (1.8·F)) — for one scan; rescanned by a pass every bucket, ln(N/F) (<see cref="HourlyPasses"/>). Autocorrelation is handled by the caller scaling the errors by its long-run factor.
/// </remarks>
public static class SegmentScan
{
    /// <summary>
    /// A segment and its statistic; <see cref="EarliestStart"/>..<see cref="LatestStart"/> are the onsets the data cannot
    /// tell from the best one (every onset up to 12 buckets away whose statistic is within 3 of its: a likelihood interval
    /// that holds the true onset of a 1.3-σ step about 94 % of the time).
    /// </summary>
    public readonly record struct Segment(int Start, int End, double Statistic)
    {
        public int EarliestStart { get; init; } = Start;

        public int LatestStart { get; init; } = Start;
    }

    /// <summary>
    /// The scan crosses h about e^(−h)/1.8 times per observation when each window is scanned once (3·10⁶ simulated
    /// observations), but a pass runs as of every bucket and rescans the 72 before it: 10⁵ observations scanned hour by
    /// hour crossed 1.76 times as often (0.44 a year at h = 9.9 against 0.25). The threshold uses the rate of the scan as
    /// it runs, e^(−h)/1.0 per observation.
    /// </summary>
    private const double HourlyPasses = 1.0;

    /// <summary>The threshold for <paramref name="falseAlertsPerYear"/> at <paramref name="observationsPerYear"/>.</summary>
    public static double Threshold(double falseAlertsPerYear, double observationsPerYear)
    {
        if (!(falseAlertsPerYear > 0) || !(observationsPerYear > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(falseAlertsPerYear), "the false-alert rate and the observations per year must be positive");
        }

        return Math.Max(2, Math.Log(observationsPerYear / (HourlyPasses * falseAlertsPerYear)));
    }

    /// <summary>
    /// Disjoint segments of <paramref name="errors"/> whose statistic exceeds <paramref name="threshold"/>, strongest
    /// first, at most <paramref name="maxSegments"/>, with only the level's error shared (variance
    /// <paramref name="levelVariance"/>).
    /// </summary>
    public static List<Segment> Find(ReadOnlySpan<double> errors, double clip, double levelVariance, double threshold, int maxSegments = 4) =>
        Find(errors, clip, SharedErrors.LevelOnly(levelVariance, errors.Length), threshold, maxSegments);

    /// <summary>
    /// Disjoint segments of <paramref name="errors"/> whose statistic exceeds <paramref name="threshold"/>, strongest
    /// first, at most <paramref name="maxSegments"/>; the errors share the level's and their days' errors as
    /// <paramref name="shared"/> says.
    /// </summary>
    /// <remarks>
    /// A segment u is tested by the exact likelihood ratio under the window's covariance Σ (<see cref="SharedErrors"/>):
    /// G = (uᵀΣ⁻¹e)²/(2·uᵀΣ⁻¹u). With only a level error of variance v this is the two-sample comparison with the rest of
    /// the window: b̂ = O/(1/v + M) from the outside sum O of M buckets, G = (S − L·b̂)²/(2·(L + L²·v')),
    /// v' = 1/(1/v + M), the learned level its prior. A drop that covers the newest third of the window is then judged
    /// against the two days before it as well as the weeks before those, which both sharpens its onset and keeps a
    /// baseline that is a little off from looking like a shift. With day errors too, the buckets of the segment's own
    /// days say more about its baseline than those of other days.
    /// </remarks>
    public static List<Segment> Find(ReadOnlySpan<double> errors, double clip, SharedErrors shared, double threshold, int maxSegments = 4)
    {
        ArgumentNullException.ThrowIfNull(shared);
        var n = errors.Length;
        var clipped = new double[n];
        var isolated = new bool[n];
        for (var t = 0; t < n; t++)
        {
            isolated[t] = Isolated(errors, t);
            clipped[t] = Math.Clamp(errors[t], -clip, clip);
        }

        // First segments of two or more on clipped errors, strongest first (a lone extreme bucket counts as missing in
        // them); then single buckets not covered by them on their own, unclipped errors — the first hour of an outage or
        // a deep drop, or a spike.
        var taken = new bool[n];
        var available = new bool[n];
        var found = new List<Segment>();
        var sums = new double[n + 1];
        var counts = new int[n + 1];
        while (found.Count < maxSegments)
        {
            var (solver, w) = Prepare(clipped, isolated, taken, shared, available, sums, counts);
            var best = new Segment(-1, -1, 0);
            for (var i = 0; i < n; i++)
            {
                for (var j = i + 1; j < n && !taken[i] && !taken[j]; j++)
                {
                    var l = counts[j + 1] - counts[i];
                    if (l == 0)
                    {
                        continue;
                    }

                    var g = Statistic(sums[j + 1] - sums[i], l, solver.Segment(i, j, counts, w));
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
            Array.Fill(taken, true, best.Start, best.End - best.Start + 1);
        }

        // The onset on unclipped errors: clipping makes a deep drop's buckets look like a mild one's, so a noisy bucket
        // or two before it could join the segment. The start moves by at most three buckets within free ones. Where the
        // step is does not depend on how the shared error splits into level and days — but a day's error would pull a
        // step that begins with a day a few buckets into it (the whole day is then as well explained by its own error),
        // so the onset is placed with all of it as one shared level.
        var level = shared.Day > 0 ? shared with { Level = shared.Total, Day = 0 } : shared;
        for (var k = 0; k < found.Count; k++)
        {
            var (onset, earliest, latest) = Onset(errors, clipped, isolated, found[k], taken, level);
            found[k] = found[k] with { Start = onset, EarliestStart = earliest, LatestStart = latest };
        }

        var (singles, weights) = Prepare(clipped, isolated, taken, shared, available, sums, counts);
        for (var t = 0; t < n && found.Count < 2 * maxSegments; t++)
        {
            if (taken[t])
            {
                continue;
            }

            // Against the others: the bucket's own (clipped) part of the shared estimate is replaced by its unclipped error.
            var (projection, quadratic) = singles.Bucket(t, weights);
            var g = available[t]
                ? Statistic(errors[t], 1, (projection + ((errors[t] - clipped[t]) * quadratic), quadratic))
                : Square(errors[t] - projection) / (2 * (1 + quadratic));
            if (g > threshold)
            {
                found.Add(new Segment(t, t, g));
            }
        }

        return found;
    }

    /// <summary>
    /// The effect of the segment [<paramref name="from"/>, <paramref name="to"/>] in units of one error against the rest
    /// of the window but the <paramref name="excluded"/> buckets (other findings), as the scan tests it: the estimate δ̂
    /// on clipped errors, its variance, and the part of the segment's mean the shared errors account for
    /// (mean − δ̂), by which the forecast moves for the segment.
    /// </summary>
    public static (double Effect, double Variance, double Shift) Effect(
        ReadOnlySpan<double> errors, double clip, SharedErrors shared, int from, int to, ReadOnlySpan<bool> excluded)
    {
        ArgumentNullException.ThrowIfNull(shared);
        var n = errors.Length;
        var clipped = new double[n];
        var available = new bool[n];
        var single = from == to;
        for (var t = 0; t < n; t++)
        {
            clipped[t] = Math.Clamp(errors[t], -clip, clip);
            var inside = t >= from && t <= to;
            available[t] = inside ? single || !Isolated(errors, t) : !excluded[t] && !Isolated(errors, t);
        }

        var solver = shared.Solve(available);
        var w = solver.Weights(clipped, available);
        var counts = new int[n + 1];
        double sum = 0;
        for (var t = 0; t < n; t++)
        {
            counts[t + 1] = counts[t] + (available[t] ? 1 : 0);
            if (available[t] && t >= from && t <= to)
            {
                sum += clipped[t];
            }
        }

        var length = counts[to + 1] - counts[from];
        var (projection, quadratic) = solver.Segment(from, to, counts, w);
        var information = Math.Max(1e-12, length - quadratic);
        var effect = (sum - projection) / information;
        return (effect, 1 / information, (sum / length) - effect);
    }

    private static (SharedSolver Solver, double[] Weights) Prepare(
        double[] clipped, bool[] isolated, bool[] taken, SharedErrors shared, bool[] available, double[] sums, int[] counts)
    {
        for (var t = 0; t < clipped.Length; t++)
        {
            available[t] = !taken[t] && !isolated[t];
            sums[t + 1] = sums[t] + (available[t] ? clipped[t] : 0);
            counts[t + 1] = counts[t] + (available[t] ? 1 : 0);
        }

        var solver = shared.Solve(available);
        return (solver, solver.Weights(clipped, available));
    }

    private static (int Onset, int Earliest, int Latest) Onset(
        ReadOnlySpan<double> errors, double[] clipped, bool[] isolated, Segment segment, bool[] taken, SharedErrors shared)
    {
        var n = errors.Length;
        var available = new bool[n];
        var counts = new int[n + 1];
        for (var t = 0; t < n; t++)
        {
            available[t] = (!taken[t] || (t >= segment.Start && t <= segment.End)) && !isolated[t];
            counts[t + 1] = counts[t] + (available[t] ? 1 : 0);
        }

        var solver = shared.Solve(available);
        var from = Math.Max(0, segment.Start - 12);
        var to = Math.Min(segment.End - 1, segment.Start + 12);
        var statistics = new double[to - from + 1];
        var values = new double[n];
        var best = segment.Start;
        var bestG = double.NegativeInfinity;
        for (var start = from; start <= to; start++)
        {
            statistics[start - from] = double.NegativeInfinity;
            if (start < segment.Start && taken[start])
            {
                continue;
            }

            // The candidate's own buckets unclipped, every other available bucket clipped as the scan had it.
            double sum = 0;
            for (var t = 0; t < n; t++)
            {
                var inside = t >= start && t <= segment.End;
                values[t] = inside ? errors[t] : clipped[t];
                if (inside && available[t])
                {
                    sum += errors[t];
                }
            }

            var length = counts[segment.End + 1] - counts[start];
            if (length == 0)
            {
                continue;
            }

            var g = Statistic(sum, length, solver.Segment(start, segment.End, counts, solver.Weights(values, available)));
            statistics[start - from] = g;

            // The onset itself moves by at most three buckets from the clipped scan's; the interval looks up to 12 away.
            if (Math.Abs(start - segment.Start) <= 3 && g > bestG)
            {
                (best, bestG) = (start, g);
            }
        }

        // Every onset whose likelihood is within e³ of the best's: a small shift's likelihood is flat and bumpy over many
        // buckets, and the interval is what a deployment is matched against.
        var (earliest, latest) = (best, best);
        for (var start = from; start <= to; start++)
        {
            if (statistics[start - from] >= bestG - 3)
            {
                (earliest, latest) = (Math.Min(earliest, start), Math.Max(latest, start));
            }
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

    /// <summary>G = (S − aᵀw)²/(2·(L − aᵀMa)): the likelihood ratio of a shift of the segment under Σ.</summary>
    private static double Statistic(double sum, int length, (double Projection, double Quadratic) shared)
    {
        var information = Math.Max(1e-12, length - shared.Quadratic);
        return Square(sum - shared.Projection) / (2 * information);
    }

    private static double Square(double x) => x * x;
}
