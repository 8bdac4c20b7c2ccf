namespace MetricPipeline.Analysis.Detection;

/// <summary>What a deviation from the learned normal looks like.</summary>
public enum LiveKind
{
    /// <summary>A new level that has held for at least the persistence.</summary>
    LevelShift,

    /// <summary>Below the normal for fewer buckets than the persistence (so far).</summary>
    Dip,

    /// <summary>Above the normal for fewer buckets than the persistence (so far).</summary>
    Spike,

    /// <summary>A positive metric at or below the outage ratio of its expected value (traffic mostly gone).</summary>
    Outage,
}

/// <summary>Settings of the <see cref="LiveDetector"/>. The defaults are documented in docs/DETECTION.md.</summary>
public sealed record LiveDetectorOptions
{
    /// <summary>Newest observations under test (never learned from). Null: 72 for hourly, 7 for daily, 8 otherwise.</summary>
    public int? TestLength { get; init; }

    /// <summary>Observations before the test window the level is estimated from. Null: one week of hours, four weeks of days, 8 otherwise.</summary>
    public int? LevelWindow { get; init; }

    /// <summary>False alerts per series and year the threshold is set for, with independent Gaussian errors.</summary>
    public double FalseAlertsPerYear { get; init; } = DefaultFalseAlertsPerYear;

    /// <summary>Observations per year of the series' grain (8766 hours, 365.25 days, 52.18 weeks).</summary>
    public double ObservationsPerYear { get; init; } = 8766;

    /// <summary>Seasonality multiplies the level (counts, sums, distinct users): detection runs on log(y + c).</summary>
    public bool Multiplicative { get; init; }

    /// <summary>The values are counts of independent events: Poisson noise 1/μ is part of each bucket's variance.</summary>
    public bool CountLike { get; init; }

    /// <summary>Standardised errors are clipped at ±this in segments of two or more, so one wild bucket cannot carry its neighbours.</summary>
    public double Clip { get; init; } = 3;

    /// <summary>Buckets a deviation must hold to be a level shift rather than a dip or spike.</summary>
    public int Persistence { get; init; } = 6;

    /// <summary>At or below this share of its expected value, every bucket of a drop: an outage.</summary>
    public double OutageRatio { get; init; } = 0.2;

    /// <summary>Counts: below this many expected events a bucket, findings are anomalies only (too sparse to alert on).</summary>
    public double MinExpectedCount { get; init; } = 5;

    /// <summary>Confidence of expected ranges and effect intervals.</summary>
    public double Confidence { get; init; } = 0.95;

    /// <summary>
    /// Buckets (indices into the series) at which a change is known to be likely: the bucket a tagged deployment started
    /// in and the next. A level that moved at one of them and holds to the newest bucket is tested on its own, with the
    /// threshold of <see cref="FalseAlertsPerKnownOnset"/> — one hypothesis, not a scan over every segment.
    /// </summary>
    public IReadOnlyList<int> KnownOnsets { get; init; } = [];

    /// <summary>
    /// Chance that a steady series alerts at a known onset while it is under test (the passes whose window holds it), per
    /// known change (a deployment): the watch after a deployment spends this much of the false-alert budget each time.
    /// </summary>
    public double FalseAlertsPerKnownOnset { get; init; } = DefaultFalseAlertsPerKnownOnset;

    /// <summary>The default of <see cref="FalseAlertsPerYear"/> (docs/DETECTION.md, step 4).</summary>
    public const double DefaultFalseAlertsPerYear = 0.25;

    /// <summary>The default of <see cref="FalseAlertsPerKnownOnset"/>: 0.5 %, an upper bound of the rate measured on the replay.</summary>
    public const double DefaultFalseAlertsPerKnownOnset = 0.005;

    /// <summary>Which way is good for the metric.</summary>
    public MetricDirection Direction { get; init; } = MetricDirection.Up;
}

/// <summary>
/// One deviation found in the test window: observations <see cref="Start"/>..<see cref="End"/> (inclusive, indices
/// into the whole series) lie off the forecast. <see cref="Ongoing"/>: it reaches the newest observation.
/// <see cref="Observed"/> and <see cref="Expected"/> are means over the segment on the series' own scale, with the
/// range the mean would have had without a change; <see cref="Relative"/> is the effect (observed / expected − 1 on
/// the multiplicative scale) with its interval. <see cref="Statistic"/> is the scan's likelihood-ratio statistic,
/// compared with <see cref="LiveDetection.Threshold"/>. <see cref="Alertable"/> says whether it is worth an alert:
/// outages and level shifts are; a dip or spike is when it is bad news and has lasted two buckets or is still going on;
/// otherwise it is an anomaly only.
/// </summary>
public sealed record LiveFinding(
    int Start, int End, bool Ongoing, LiveKind Kind, bool Alertable, bool IsGood,
    double Observed, double Expected, double ExpectedLow, double ExpectedHigh,
    double Relative, double RelativeLow, double RelativeHigh, double Statistic)
{
    public int Length => End - Start + 1;

    /// <summary>
    /// The onsets the data cannot tell from <see cref="Start"/> (about a 95 % likelihood interval; both equal to it when
    /// the onset is clear): a small shift's first bucket is uncertain by a few.
    /// </summary>
    public int EarliestStart { get; init; } = Start;

    /// <inheritdoc cref="EarliestStart"/>
    public int LatestStart { get; init; } = Start;
}

/// <summary>
/// The live detector's answer: the test window starts at <see cref="TestStart"/>; there, <see cref="Expected"/> and
/// its range are the forecast per observation and <see cref="Scores"/> the standardised errors (NaN before it).
/// <see cref="SharedVariance"/> is the variance, in units of one standardised error, of the error every forecast in
/// the window shares (the level's, the day effect's): a mean of L scores has variance 1/L + this.
/// </summary>
public sealed record LiveDetection(
    int TestStart, double[] Expected, double[] ExpectedLow, double[] ExpectedHigh, double[] Scores,
    IReadOnlyList<LiveFinding> Findings, double Threshold, double SharedVariance = 0)
{
    public static LiveDetection Empty(int n) =>
        new(n, Filled(n), Filled(n), Filled(n), Filled(n), [], double.PositiveInfinity);

    private static double[] Filled(int n)
    {
        var a = new double[n];
        Array.Fill(a, double.NaN);
        return a;
    }
}
