namespace MetricPipeline.Analysis.Decomposition;

/// <summary>
/// STL parameters after R's <c>stats::stl</c> defaults have been applied, as R hands them to the
/// Fortran (an even window such as <c>t.window = 50</c> is still 50 here; the smoother makes it odd).
/// </summary>
/// <remarks>
/// R's defaults, for a series of length n and period p:
/// <list type="bullet">
/// <item>"periodic": s.window = 10·n + 1, s.degree = 0.</item>
/// <item>t.window = nextodd(⌈1.5·p / (1 − 1.5/s.window)⌉), l.window = nextodd(p), l.degree = t.degree.</item>
/// <item>each jump = ⌈window / 10⌉ of the window R was given (before it is made odd).</item>
/// <item>inner = 2 and outer = 0, or 1 and 15 when robust.</item>
/// </list>
/// </remarks>
public sealed record StlParameters(
    int Period,
    int SeasonalWindow,
    int SeasonalDegree,
    int TrendWindow,
    int TrendDegree,
    int LowPassWindow,
    int LowPassDegree,
    int SeasonalJump,
    int TrendJump,
    int LowPassJump,
    int Inner,
    int Outer,
    bool Periodic)
{
    /// <summary>Seasonal (cycle-subseries) window the smoother uses: at least 3 and odd.</summary>
    public int EffectiveSeasonalWindow => OddAtLeastThree(SeasonalWindow);

    /// <summary>Trend window the smoother uses: at least 3 and odd.</summary>
    public int EffectiveTrendWindow => OddAtLeastThree(TrendWindow);

    /// <summary>Low-pass window the smoother uses: at least 3 and odd.</summary>
    public int EffectiveLowPassWindow => OddAtLeastThree(LowPassWindow);

    /// <summary>
    /// Applies R's defaults to <paramref name="options"/> for a series of <paramref name="length"/>
    /// points and checks every value; throws <see cref="ArgumentException"/> naming what is wrong.
    /// </summary>
    public static StlParameters Resolve(StlOptions options, int length)
    {
        ArgumentNullException.ThrowIfNull(options);
        var period = options.Period;
        if (period < 2)
        {
            throw new ArgumentException($"STL period must be at least 2 (got {period}); a series without a cycle has nothing to decompose.", nameof(options));
        }

        var periodic = options.SeasonalWindow is null;
        var seasonalWindow = options.SeasonalWindow ?? checked(10 * length + 1);
        // R forces s.degree = 0 for "periodic" without looking at it; a degree that is never valid is still refused.
        var seasonalDegree = CheckDegree(options.SeasonalDegree, "seasonal");
        if (periodic)
        {
            seasonalDegree = 0;
        }

        var trendDegree = CheckDegree(options.TrendDegree, "trend");
        var lowPassDegree = CheckDegree(options.LowPassDegree ?? trendDegree, "low-pass");
        CheckWindow(seasonalWindow, "seasonal");

        int trendWindow;
        if (options.TrendWindow is { } givenTrend)
        {
            trendWindow = CheckWindow(givenTrend, "trend");
        }
        else
        {
            if (seasonalWindow < 2)
            {
                throw new ArgumentException($"the default trend window needs a seasonal window of at least 2 (got {seasonalWindow}); give the trend window explicitly.", nameof(options));
            }

            trendWindow = NextOdd(Math.Ceiling(1.5 * period / (1 - 1.5 / seasonalWindow)));
        }

        var lowPassWindow = options.LowPassWindow is { } givenLowPass ? CheckWindow(givenLowPass, "low-pass") : NextOdd(period);
        var robust = options.Robust;
        var parameters = new StlParameters(
            period,
            seasonalWindow,
            seasonalDegree,
            trendWindow,
            trendDegree,
            lowPassWindow,
            lowPassDegree,
            CheckJump(options.SeasonalJump ?? DefaultJump(seasonalWindow), "seasonal"),
            CheckJump(options.TrendJump ?? DefaultJump(trendWindow), "trend"),
            CheckJump(options.LowPassJump ?? DefaultJump(lowPassWindow), "low-pass"),
            CheckCount(options.Inner ?? (robust ? 1 : 2), 1, "inner"),
            CheckCount(options.Outer ?? (robust ? 15 : 0), 0, "outer"),
            periodic);
        parameters.Validate(length);
        return parameters;
    }

    /// <summary>Checks these parameters against a series of <paramref name="length"/> points; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public void Validate(int length)
    {
        if (Period < 2)
        {
            throw new ArgumentException($"STL period must be at least 2 (got {Period}); a series without a cycle has nothing to decompose.");
        }

        if (length <= 2 * Period)
        {
            throw new ArgumentException(
                $"STL needs more than two full periods: {length} points is too few for period {Period} (at least {(2 * Period) + 1} are needed, as in R's stl).",
                nameof(length));
        }

        CheckDegree(SeasonalDegree, "seasonal");
        CheckDegree(TrendDegree, "trend");
        CheckDegree(LowPassDegree, "low-pass");
        CheckWindow(SeasonalWindow, "seasonal");
        CheckWindow(TrendWindow, "trend");
        CheckWindow(LowPassWindow, "low-pass");
        CheckJump(SeasonalJump, "seasonal");
        CheckJump(TrendJump, "trend");
        CheckJump(LowPassJump, "low-pass");
        CheckCount(Inner, 1, "inner");
        CheckCount(Outer, 0, "outer");
    }

    private static int OddAtLeastThree(int window)
    {
        var w = Math.Max(3, window);
        return w % 2 == 0 ? w + 1 : w;
    }

    // R: nextodd <- function(x) { x <- round(x); if (x %% 2 == 0) x <- x + 1; as.integer(x) }
    private static int NextOdd(double x)
    {
        var r = checked((int)Math.Round(x, MidpointRounding.ToEven));
        return r % 2 == 0 ? r + 1 : r;
    }

    // R: ceiling(window / 10), from the window as given (before it is made odd).
    private static int DefaultJump(int window) => (int)Math.Ceiling(window / 10.0);

    private static int CheckDegree(int degree, string which) =>
        degree is 0 or 1 ? degree : throw new ArgumentException($"{which} degree must be 0 or 1 (got {degree}).", nameof(degree));

    private static int CheckWindow(int window, string which) =>
        window >= 1 ? window : throw new ArgumentException($"{which} window must be a positive number of points (got {window}).", nameof(window));

    private static int CheckJump(int jump, string which) =>
        jump >= 1 ? jump : throw new ArgumentException($"{which} jump must be at least 1 (got {jump}).", nameof(jump));

    private static int CheckCount(int count, int minimum, string which) =>
        count >= minimum ? count : throw new ArgumentException($"{which} iterations must be at least {minimum} (got {count}).", nameof(count));
}
