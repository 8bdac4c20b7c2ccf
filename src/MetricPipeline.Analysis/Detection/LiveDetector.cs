using MathNet.Numerics.Distributions;
using MetricPipeline.Analysis.Statistics;

namespace MetricPipeline.Analysis.Detection;

/// <summary>
/// The detector of a live pass: learn the normal from the past only, then test the newest observations against it
/// sequentially, so a drop in the last hours is found within hours and dated to its first bucket.
/// </summary>
/// <remarks>
/// <para>
/// 1. Scale: positive metrics are multiplicative (the weekend dip scales with the level), so z = log(y + c) with
/// c = max(0.5, 1 % of the median) for counts; ratios stay additive, z = y.
/// </para>
/// <para>
/// 2. Learn on z[0, s): the <see cref="SeasonalBaseline"/> (daily profile and day-of-week effect), robust to past shifts,
/// outliers and holidays; the noise from the residuals of the deseasonalised d = z − seasonal around a rolling median:
/// for counts the variance of a bucket is σₓ² + 1/μ (extra-Poisson plus Poisson), σₓ² chosen so the median squared
/// standardised residual is that of χ²₁; otherwise one robust σ². Their lag-1 autocorrelation ρ gives the long-run
/// factor f = (1 + ρ)/(1 − ρ).
/// </para>
/// <para>
/// 3. The level at s: the clipped mean of d (every hour weighing alike) over the level window before s. A significant
/// step in that window (two-sample |t| &gt; 5) limits the window to the data after it, or — when fewer than one cycle of
/// data follows it — moves the test window back to start at the step, so a recent change is tested, not learned.
/// </para>
/// <para>
/// 4. Test z[s, n): standardised errors e_t = (z_t − level − seasonal_t)/√(f·var_t) — for counts, their normal scores
/// (the log of a count is skewed to the left, <see cref="LogCountSkewness"/>) — go through the <see cref="SegmentScan"/>
/// with the threshold for <see cref="LiveDetectorOptions.FalseAlertsPerYear"/>. Each segment found is classified by its
/// length, sign and depth (<see cref="LiveKind"/>) and measured: its mean relative effect with an interval that includes
/// the error of the level.
/// </para>
/// </remarks>
public static class LiveDetector
{
    public static LiveDetection Detect(ReadOnlySpan<double> y, SeasonalLayout layout, LiveDetectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        options ??= new LiveDetectorOptions();
        foreach (var v in y)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException("the series contains a missing or non-finite value; fill or drop it before detection", nameof(y));
            }
        }

        var testLength = options.TestLength ?? (layout.Period == 24 ? 72 : layout.Period == 7 ? 7 : 8);
        return Detect(y, layout, options, WatchedLength(y.Length, layout, options.KnownOnsets, testLength), extensions: Extensions);
    }

    /// <summary>How many cycles a test window may grow by to reach back to the start of a finding it cut.</summary>
    private const int Extensions = 4;

    /// <summary>
    /// The test window that reaches back to a known onset older than <paramref name="testLength"/> buckets but within
    /// twice that (a first pass after a pause, or a deployment a few days old): the window then starts with the onset's
    /// cycle (its day, for hours), so the level is learned before the change, not across it, and the watch tests it.
    /// </summary>
    private static int WatchedLength(int n, SeasonalLayout layout, IReadOnlyList<int> knownOnsets, int testLength)
    {
        var reach = 2 * testLength;
        var oldest = n;
        foreach (var onset in knownOnsets)
        {
            if (onset >= 0 && onset < n - testLength && n - onset <= reach)
            {
                oldest = Math.Min(oldest, onset - (layout.Blocks >= 2 ? layout.Phase(onset) : 0));
            }
        }

        return Math.Max(testLength, n - Math.Max(oldest, 0));
    }

    /// <summary>
    /// The pass with <paramref name="testLength"/> newest observations under test. A finding that starts at the first
    /// tested observation is cut by the window (a change older than the window, seen by a first pass after a pause):
    /// the window then grows by a cycle, up to <paramref name="extensions"/> times, so the change is dated where it began.
    /// </summary>
    private static LiveDetection Detect(ReadOnlySpan<double> y, SeasonalLayout layout, LiveDetectorOptions options, int testLength, int extensions)
    {
        var n = y.Length;
        var p = layout.Period;
        var levelWindow = options.LevelWindow ?? (p == 24 ? 168 : p == 7 ? 28 : 8);
        // Enough past for medians over cycles: two weeks of hours (the day effects pool over days), three whole weeks of
        // days (each weekday's effect is a median of its own few values).
        var minimumTraining = p >= 2 ? (layout.Blocks >= 2 ? 2 * p * layout.Blocks : (4 * p) - 1) : 8;
        testLength = Math.Min(testLength, n - minimumTraining);
        if (testLength < 1)
        {
            return LiveDetection.Empty(n);
        }

        var s0 = n - testLength;
        var multiplicative = options.Multiplicative && Min(y) >= 0;
        var offset = multiplicative ? Offset(y[..s0], options.CountLike) : 0;
        var countLike = multiplicative && options.CountLike;
        var z = new double[n];
        for (var t = 0; t < n; t++)
        {
            z[t] = multiplicative ? Math.Log(y[t] + offset) : y[t];
        }

        var normal = LearnNormal(z, layout, s0, levelWindow, countLike, offset, minimumTraining);

        var start = normal.Start;
        var levelVariance = normal.SharedVariance;
        var noise = normal.Noise;

        var z975 = Normal.InvCDF(0, 1, (1 + options.Confidence) / 2);
        var expected = Nan(n);
        var low = Nan(n);
        var high = Nan(n);
        var scores = Nan(n);
        var errors = new double[n - start];
        var meanVariance = 0.0;
        for (var t = start; t < n; t++)
        {
            var forecast = normal.Forecast(t);
            var variance = normal.Variance(t);
            meanVariance += variance;
            var e = (z[t] - forecast) / Math.Sqrt(noise.LongRunFactor * variance);
            if (countLike)
            {
                // The log of a count leans left: its normal score, so a low bucket is as rare as a high one of the same score.
                // The scale's excess over the model (its misfit) is taken as symmetric, which thins the skew by Scale³.
                e = NormalScore(e, noise.Skewness(forecast) / (normal.Scale * normal.Scale * normal.Scale));
            }

            errors[t - start] = e;
            scores[t] = e;
            var band = z975 * Math.Sqrt(variance + levelVariance);
            expected[t] = Back(forecast, multiplicative, offset);
            low[t] = Back(forecast - band, multiplicative, offset);
            high[t] = Back(forecast + band, multiplicative, offset);
        }

        meanVariance /= n - start;
        var threshold = SegmentScan.Threshold(options.FalseAlertsPerYear, options.ObservationsPerYear);
        var unit = noise.LongRunFactor * meanVariance;
        var dayOf = new int[n - start];
        for (var t = start; t < n; t++)
        {
            dayOf[t - start] = layout.Blocks >= 2 ? layout.Cycle(t) - layout.Cycle(start) : 0;
        }

        var shared = new SharedErrors(normal.LevelVariance / unit, layout.Blocks >= 2 ? normal.DayVariance / unit : 0, dayOf);
        var segments = SegmentScan.Find(errors, options.Clip, shared, threshold);
        if (KnownOnset(errors, options, shared, start, segments) is { } watched)
        {
            segments.Add(watched);
        }

        var found = new bool[n];
        foreach (var segment in segments)
        {
            Array.Fill(found, true, start + segment.Start, segment.End - segment.Start + 1);
        }

        var window = new Window(y.ToArray(), z, normal, multiplicative, offset, z975, options, errors, start, found, unit, shared, threshold);
        var findings = new List<LiveFinding>(segments.Count);
        foreach (var segment in segments)
        {
            findings.Add(window.Measure(start + segment.Start, start + segment.End, segment.Statistic, start + segment.EarliestStart, start + segment.LatestStart));
        }

        findings.Sort((a, b) => a.Start.CompareTo(b.Start));
        for (var i = findings.Count - 1; i > 0; i--)
        {
            // The scan masks what it found, so one long deviation can come back as two touching pieces: one finding. A
            // lone spike is no piece of a segment (the scan leaves it out of every one): joined to a deviation next to
            // it, it would lend it its height and its statistic.
            if (findings[i].Start <= findings[i - 1].End + 2 && Math.Sign(findings[i].Relative) == Math.Sign(findings[i - 1].Relative)
                && !LoneSpike(findings[i]) && !LoneSpike(findings[i - 1]))
            {
                findings[i - 1] = window.Measure(
                    findings[i - 1].Start, findings[i].End, Math.Max(findings[i - 1].Statistic, findings[i].Statistic), findings[i - 1].EarliestStart, findings[i - 1].LatestStart);
                findings.RemoveAt(i);
            }
        }

        // A holiday broken in two by a spike: the piece after it belongs to a day already known to be a holiday.
        for (var i = 0; i < findings.Count; i++)
        {
            if (findings[i].Alertable && window.Holidays.Count > 0)
            {
                findings[i] = window.Measure(findings[i].Start, findings[i].End, findings[i].Statistic, findings[i].EarliestStart, findings[i].LatestStart);
            }
        }

        bool LoneSpike(LiveFinding f) => f.Length == 1 && SegmentScan.Isolated(errors, f.Start - start);

        var cycle = Math.Max(p, 1);
        if (extensions > 0 && n - (s0 - cycle) >= 0 && s0 - cycle >= minimumTraining
            && findings.Any(f => f.Alertable && f.Start == start && f.Start == s0))
        {
            return Detect(y, layout, options, testLength + cycle, extensions - 1);
        }

        return new LiveDetection(start, expected, low, high, scores, findings, threshold, shared.Total);
    }

    /// <summary>One pass's test window: what measuring a finding needs.</summary>
    private sealed record Window(
        double[] Y, double[] Z, LearnedNormal Normal, bool Multiplicative, double Offset, double Z975, LiveDetectorOptions Options,
        double[] Errors, int Start, bool[] Found, double Unit, SharedErrors Shared, double Threshold)
    {
        public HashSet<int> Holidays { get; } = [];

        /// <summary>
        /// Whether a drop over [from, to] may as well have begun at <paramref name="onset"/> (or with the tested window,
        /// when that begins later): the statistic of [onset, to] on clipped errors is within 3 of that of [from, to] (the
        /// likelihood interval the scan's onsets use), with the same sign.
        /// </summary>
        public bool Explains(int onset, int from, int to)
        {
            onset = Math.Max(onset, Start);
            if (onset > from)
            {
                return false;
            }

            var (best, bestSum) = Clipped(from, to);
            var (earlier, earlierSum) = Clipped(onset, to);
            return Math.Sign(earlierSum) == Math.Sign(bestSum) && earlier >= best - 3;
        }

        /// <summary>
        /// Whether a drop over [from, to] may as well have ended with <paramref name="end"/> (the last bucket of its day):
        /// after it, the level the drop had over [from, end] fits the buckets no better than the normal by more than e³ —
        /// the first hours of the next day were low by chance, or by the little the next day's effect was learned off —
        /// and those buckets on their own are no finding (their statistic is under the scan's threshold). On unclipped errors: a holiday's hours are many σ down, a few hours 2–3 σ low are no continuation of it.
        /// </summary>
        public bool EndsBy(int end, int from, int to)
        {
            if (end >= to || end < from)
            {
                return end >= to;
            }

            var level = 0.0;
            for (var t = from; t <= end; t++)
            {
                level += Errors[t - Start];
            }

            level /= end - from + 1;
            var piece = 0.0;
            for (var t = end + 1; t <= to; t++)
            {
                piece += Errors[t - Start];
            }

            // The log-likelihood gain of the drop's level over the normal for the buckets after the end: Σ (level·e − level²/2).
            var gain = (level * piece) - ((to - end) * level * level / 2);
            return gain <= 3 && piece * piece / (2.0 * (to - end)) <= Threshold;
        }

        private (double Statistic, double Sum) Clipped(int from, int to)
        {
            var sum = 0.0;
            for (var t = from; t <= to; t++)
            {
                sum += Math.Clamp(Errors[t - Start], -Options.Clip, Options.Clip);
            }

            return (sum * sum / (2.0 * (to - from + 1)), sum);
        }

        /// <summary>
        /// The finding for observations [from, to]: its effect against the forecast moved by the shared error that the
        /// rest of the window (outside every finding) measures, as the scan tested it.
        /// </summary>
        public LiveFinding Measure(int from, int to, double statistic, int earliest, int latest)
        {
            var excluded = new bool[Errors.Length];
            for (var t = 0; t < excluded.Length; t++)
            {
                excluded[t] = Found[Start + t];
            }

            var (_, variance, shift) = SegmentScan.Effect(Errors, Options.Clip, Shared, from - Start, to - Start, excluded);
            var length = to - from + 1;
            return LiveDetector.Measure(this, from, to, statistic, shift * Math.Sqrt(Unit), Math.Max(0, variance - (1.0 / length)) * Unit, earliest, latest) with
            {
                EarliestStart = earliest,
                LatestStart = latest,
            };
        }
    }

    private static LiveFinding Measure(Window w, int from, int to, double statistic, double shift, double sharedVariance, int earliest, int latest)
    {
        var (y, z, normal, multiplicative, offset, z975, options) = (w.Y, w.Z, w.Normal, w.Multiplicative, w.Offset, w.Z975, w.Options);
        var holidays = w.Holidays;
        var length = to - from + 1;
        double difference = 0, observed = 0, expected = 0, variance = 0;
        var outage = multiplicative;
        for (var t = from; t <= to; t++)
        {
            // The forecast as the window has it: moved by the shared error the rest of the window measures.
            var forecast = normal.Forecast(t) + shift;
            difference += z[t] - forecast;
            observed += y[t];
            var mean = Back(forecast, multiplicative, offset);
            expected += mean;
            variance += normal.Variance(t);
            outage &= y[t] <= options.OutageRatio * mean;
        }

        difference /= length;
        observed /= length;
        expected /= length;
        var se = Math.Sqrt((normal.Noise.LongRunFactor * variance / length / length) + sharedVariance);
        double relative, relativeLow, relativeHigh, expectedLow, expectedHigh;
        if (multiplicative)
        {
            relative = Math.Exp(difference) - 1;
            relativeLow = Math.Exp(difference - (z975 * se)) - 1;
            relativeHigh = Math.Exp(difference + (z975 * se)) - 1;
            expectedLow = expected * Math.Exp(-z975 * se);
            expectedHigh = expected * Math.Exp(z975 * se);
        }
        else
        {
            var scale = Math.Abs(expected) > 0 ? Math.Abs(expected) : double.NaN;
            relative = difference / scale;
            relativeLow = (difference - (z975 * se)) / scale;
            relativeHigh = (difference + (z975 * se)) / scale;
            expectedLow = expected - (z975 * se);
            expectedHigh = expected + (z975 * se);
        }

        var up = difference > 0;
        var good = up == (options.Direction == MetricDirection.Up);
        var ongoing = to == y.Length - 1;
        LiveKind kind = outage && !up ? LiveKind.Outage
            : length >= options.Persistence ? LiveKind.LevelShift
            : up ? LiveKind.Spike : LiveKind.Dip;
        var holiday = !up && kind != LiveKind.Outage
            && HolidayLike(from, to, Math.Min(from, earliest), Math.Max(from, latest), normal.Start, difference, se, normal.Baseline, holidays, onset => w.Explains(onset, from, to), end => w.EndsBy(end, from, to));
        if (holiday)
        {
            kind = LiveKind.Dip;
        }

        // A count series with fewer than a handful of expected events a bucket is too sparse for its Gaussian errors
        // to be trusted: its findings are anomalies, not alerts (a daily grain suits it).
        var sparse = options.CountLike && multiplicative && expected < options.MinExpectedCount;
        var alertable = !holiday && !sparse && kind switch
        {
            LiveKind.Outage => !good,
            LiveKind.LevelShift => true,
            _ => !good && (length >= 2 || ongoing),
        };
        return new LiveFinding(from, to, ongoing, kind, alertable, good, observed, expected, expectedLow, expectedHigh, relative, relativeLow, relativeHigh, statistic);
    }

    /// <summary>
    /// The watch after a known change (a tagged deployment): of the segments that begin at a known onset and reach the
    /// newest bucket, the one with the largest statistic, when it exceeds <see cref="KnownOnsetThreshold"/> and no
    /// segment the scan found overlaps it; null otherwise.
    /// </summary>
    /// <remarks>
    /// The scan looks for a segment anywhere in the window, and its threshold pays for every start and end it could
    /// pick (about 10.5 for 0.25 false alerts a year, hourly). A change that follows a deployment is one hypothesis —
    /// the level moved at that bucket and holds — tested again by each pass as buckets arrive. A random walk's largest
    /// S²/(2L) over 72 buckets exceeds h with probability about 1.4·e^(−h) (simulated, 200,000 walks, h = 6–9); the
    /// replay's steady series, watched by a week of hourly passes after a deployment that changed nothing, cross it
    /// more often (their errors are not quite a walk's: the level and drift the window shares), about 4·e^(−h). So for a
    /// chance α per deployment h = ln(4/α): 6.68 at the default 0.5 %. A 5 % drop after a deployment is alerted a few
    /// hours sooner than a blind one (median 9 h against 12 h in the replay).
    /// </remarks>
    private static SegmentScan.Segment? KnownOnset(
        double[] errors, LiveDetectorOptions options, SharedErrors shared, int start, List<SegmentScan.Segment> found)
    {
        if (options.KnownOnsets.Count == 0)
        {
            return null;
        }

        var last = errors.Length - 1;
        var excluded = new bool[errors.Length];
        foreach (var segment in found)
        {
            Array.Fill(excluded, true, segment.Start, segment.End - segment.Start + 1);
        }

        var threshold = KnownOnsetThreshold(options.FalseAlertsPerKnownOnset);
        SegmentScan.Segment? best = null;
        foreach (var onset in options.KnownOnsets)
        {
            var r = onset - start;
            if (r < 0 || r > last || found.Any(s => s.End >= r))
            {
                continue;
            }

            var (effect, variance, _) = SegmentScan.Effect(errors, options.Clip, shared, r, last, excluded);
            var statistic = effect * effect / (2 * variance);
            if (statistic > threshold && statistic > (best?.Statistic ?? 0))
            {
                best = new SegmentScan.Segment(r, last, statistic);
            }
        }

        return best;
    }

    /// <summary>The threshold of the watch after a known change for a chance <paramref name="perKnownOnset"/> of a false alert.</summary>
    public static double KnownOnsetThreshold(double perKnownOnset) => Math.Max(2, Math.Log(4 / Math.Clamp(perKnownOnset, 1e-9, 1)));

    /// <summary>Hours into a day within which a drop's onset may be taken back to midnight when the data allow it.</summary>
    private const int MidnightReach = 6;

    /// <summary>
    /// A weekday that behaves like the quietest day of the week (a public holiday): the drop starts with the day (one of
    /// the onsets the data allow, <paramref name="first"/>..<paramref name="last"/>, is at 00:00 or 01:00 — a best onset
    /// at 23:00, where the eve's last hour was low by chance, counts only if midnight is in that interval, and a drop
    /// that clearly began before midnight is none), with the first bucket under test (which a holiday seen in earlier
    /// passes slides out of), on a day already found to be one, or in the first <see cref="MidnightReach"/> hours of a day
    /// when the data allow it to have begun at midnight (a quiet segment's night hours say little: <paramref name="mayBeginAt"/>);
    /// its newest bucket is in that day (or in the first two of the next: noise moves the end too; or in the first
    /// <see cref="MidnightReach"/> when the data allow it to have ended at midnight, <paramref name="mayEndBy"/> — a
    /// Friday holiday runs into a Saturday whose first hours, at the weekend's level, were a little low), and its size is
    /// the gap between that weekday's effect and the quietest day's, within half the gap or three standard errors. Such a
    /// day is an anomaly, not an alert; a drop that goes on into the next day is not a holiday and alerts then.
    /// </summary>
    private static bool HolidayLike(
        int from, int to, int first, int last, int testStart, double difference, double se, SeasonalBaseline baseline, HashSet<int> holidays,
        Func<int, bool> mayBeginAt, Func<int, bool> mayEndBy)
    {
        var layout = baseline.Layout;
        double gap;
        int day;
        if (layout.Period >= 2 && layout.Blocks >= 2)
        {
            // Hourly data: the day of the drop is a cycle; its effect against the quietest day's.
            int? starts = null;
            for (var c = first; c <= last && starts is null; c++)
            {
                starts = layout.Phase(c) <= 1 ? layout.Cycle(c) : null;
            }

            var ownDay = layout.Cycle(from) + (layout.Phase(from) == layout.Period - 1 ? 1 : 0);
            if (starts is null && (first <= testStart + 1 || holidays.Contains(ownDay)
                || (layout.Phase(from) <= MidnightReach && mayBeginAt(from - layout.Phase(from)))))
            {
                starts = ownDay;
            }

            var endDay = layout.Cycle(to);
            if (starts is not { } d || !(endDay == d || (endDay == d + 1
                && (layout.Phase(to) <= 1 || (layout.Phase(to) <= MidnightReach && mayEndBy(to - layout.Phase(to) - 1))))))
            {
                return false;
            }

            day = d;
            gap = baseline.BlockEffect.Min() - baseline.BlockEffect[layout.BlockPhase(day)];
        }
        else if (layout.Period == 7 && layout.Blocks < 2)
        {
            // Daily data: one bucket, a weekday's profile against the quietest day's.
            if (to != from)
            {
                return false;
            }

            day = from;
            gap = baseline.Profile.Min() - baseline.Profile[layout.Phase(from)];
        }
        else
        {
            return false;
        }

        var holiday = gap < -0.05 && (difference <= gap / 2 || Math.Abs(difference - gap) <= 3 * se) && difference >= 2 * gap;
        if (holiday)
        {
            holidays.Add(day);
        }

        return holiday;
    }

    /// <summary>
    /// The spread of the holdout's standardised errors: their root mean square around their median, winsorised at 2.5
    /// robust σ (a holiday or a spike in the holdout cannot carry it), consistent for Gaussian errors. A MAD of the 168
    /// errors would be off by about 9 % one time in three — and a scale 9 % low multiplies the false alerts at the
    /// scan's threshold several times; the winsorised mean square is good to about 6 %.
    /// </summary>
    private static double HoldoutSpread(double[] errors)
    {
        if (errors.Length < 8)
        {
            return 1;
        }

        const double Limit = 2.5;
        const double Consistency = 0.97756; // E[min(x², 2.5²)] for x ~ N(0, 1)
        var median = RobustStatistics.Median(errors);
        var limit = Limit * RobustStatistics.MadToSigma * RobustStatistics.MedianAbsoluteDeviation(errors, median);
        var sum = 0.0;
        foreach (var e in errors)
        {
            var w = Math.Clamp(e - median, -limit, limit);
            sum += w * w;
        }

        return Math.Sqrt(sum / errors.Length / Consistency);
    }

    /// <summary>The normal learned from z[0, s0), with the scale of its errors out of sample (a holdout before s0).</summary>
    private static LearnedNormal LearnNormal(double[] z, SeasonalLayout layout, int s0, int levelWindow, bool countLike, double offset, int minimumTraining)
    {
        var normal = LearnedNormal.Learn(z, layout, s0, levelWindow, countLike, offset);

        // The scale of forecast errors out of sample: the same learning one holdout earlier, tested on the holdout.
        // It carries what in-sample residuals miss (the profile's and the level's own errors, a misfit of the shape);
        // it never lowers the bar, and a shift inside the holdout moves the errors' median, not their spread.
        var holdout = Math.Min(168, s0 - minimumTraining);
        if (holdout >= 24)
        {
            var earlier = LearnedNormal.Learn(z, layout, s0 - holdout, levelWindow, countLike, offset);
            var holdoutErrors = new double[s0 - earlier.Start];
            for (var t = earlier.Start; t < s0; t++)
            {
                holdoutErrors[t - earlier.Start] = (z[t] - earlier.Forecast(t)) / Math.Sqrt(earlier.Noise.LongRunFactor * earlier.Variance(t));
            }

            // The level's own error is its buckets' noise averaged: it is as much larger as their noise is.
            var scale = Math.Clamp(HoldoutSpread(holdoutErrors), 1, 3);
            normal = normal with { Scale = scale, LevelVariance = normal.LevelVariance + (((scale * scale) - 1) * normal.MeanVariance) };
        }

        return normal;
    }

    /// <summary>c of log(y + c): half an event for counts, 1 % of the median for sums.</summary>
    private static double Offset(ReadOnlySpan<double> y, bool countLike)
    {
        var positive = new List<double>(y.Length);
        foreach (var v in y)
        {
            if (v > 0)
            {
                positive.Add(v);
            }
        }

        var median = positive.Count > 0 ? RobustStatistics.Median(positive.ToArray()) : 1;
        return countLike ? 0.5 : Math.Max(1e-9, 0.01 * median);
    }

    private static double Back(double forecast, bool multiplicative, double offset) =>
        multiplicative ? Math.Max(0, Math.Exp(forecast) - offset) : forecast;

    private static double Min(ReadOnlySpan<double> y)
    {
        var min = double.PositiveInfinity;
        foreach (var v in y)
        {
            min = Math.Min(min, v);
        }

        return min;
    }

    /// <summary>
    /// The skewness of log Y for a count Y whose log has Poisson variance <paramref name="poisson"/> (p ≈ 1/μ) and extra
    /// variance <paramref name="extra"/> (φ): with variance μ + φμ² (a Poisson count with a gamma-mixed rate, the negative
    /// binomial), log Y ≈ log μ + u − u²/2 with u = Y/μ − 1, whose third central moment is E[u³] − 3s⁴ =
    /// −(2p² + 3φp + φ²) for s² = p + φ. The log of a count leans left: −0.12 at 300 events an hour with 3 % extra noise,
    /// −0.05 at 2,000 — and at the scan's threshold for one bucket (4.5–4.6 σ) that makes a low bucket several times as
    /// likely as the normal tail says, a high one several times less.
    /// </summary>
    public static double LogCountSkewness(double poisson, double extra)
    {
        var s2 = poisson + extra;
        return s2 > 0 ? -((2 * poisson * poisson) + (3 * extra * poisson) + (extra * extra)) / (s2 * Math.Sqrt(s2)) : 0;
    }

    /// <summary>
    /// The normal score of a standardised error of skewness <paramref name="skewness"/> (Cornish–Fisher, first order):
    /// z = e − γ/6·(e² − 1), the correction held at its value for |e| = 6 beyond that so the map stays monotone.
    /// </summary>
    public static double NormalScore(double e, double skewness) => e - (skewness / 6 * (Math.Min(e * e, 36) - 1));

    private static double[] Nan(int n)
    {
        var a = new double[n];
        Array.Fill(a, double.NaN);
        return a;
    }
}
