namespace MetricPipeline.Analysis.Decomposition;

/// <summary>MSTL result: one seasonal component per period, ascending by period.</summary>
public sealed record MstlResult(double[] Trend, IReadOnlyList<int> Periods, IReadOnlyList<double[]> Seasonals, double[] Remainder);

/// <summary>MSTL settings; the defaults are those of R's <c>forecast::mstl</c>.</summary>
public sealed record MstlOptions
{
    /// <summary>Passes over all periods (R's <c>iterate</c>, default 2).</summary>
    public int Iterations { get; init; } = 2;

    /// <summary>
    /// Seasonal window for each period, in ascending order of the periods that are kept; a single value applies to
    /// every period; a null entry means "periodic". Null (the default) means R's 7 + 4·i for the i-th period (1-based).
    /// </summary>
    public IReadOnlyList<int?>? SeasonalWindows { get; init; }

    /// <summary>
    /// Other STL arguments applied to every period's fit (R's <c>...</c>); its <see cref="StlOptions.Period"/> and
    /// <see cref="StlOptions.SeasonalWindow"/> are ignored. Null means R's defaults.
    /// </summary>
    public StlOptions? Stl { get; init; }
}

/// <summary>
/// Multiple seasonal-trend decomposition by LOESS, computing what R's <c>forecast::mstl</c> computes (forecast 8.20).
/// </summary>
/// <remarks>
/// Periods are sorted ascending and those with 2·p ≥ n are dropped (forecast::mstl warns "Dropping seasonal
/// components with fewer than two full periods" and does the same). With S_i = 0 and D = y, each of the
/// <see cref="MstlOptions.Iterations"/> passes does, for each period p_i in turn: D += S_i; S_i = seasonal of
/// STL(D, p_i, s.window_i); D −= S_i. The trend is the trend of the last STL fit and the remainder is D − trend.
/// </remarks>
public static class Mstl
{
    /// <summary>MSTL with R's <c>forecast::mstl</c> defaults (2 iterations, s.window = 7 + 4·i).</summary>
    public static MstlResult Decompose(ReadOnlySpan<double> y, IReadOnlyList<int> periods) =>
        Decompose(y, periods, new MstlOptions());

    /// <summary>MSTL with the given <paramref name="options"/>.</summary>
    public static MstlResult Decompose(ReadOnlySpan<double> y, IReadOnlyList<int> periods, MstlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var n = y.Length;
        var kept = UsablePeriods(periods, n);
        if (options.Iterations < 1)
        {
            throw new ArgumentException($"MSTL needs at least 1 iteration (got {options.Iterations}).", nameof(options));
        }

        var parameters = new StlParameters[kept.Count];
        for (var i = 0; i < kept.Count; i++)
        {
            var template = options.Stl ?? new StlOptions { Period = kept[i] };
            parameters[i] = StlParameters.Resolve(template with { Period = kept[i], SeasonalWindow = SeasonalWindow(options.SeasonalWindows, i, kept.Count) }, n);
        }

        var seasonals = new double[kept.Count][];
        for (var i = 0; i < kept.Count; i++)
        {
            seasonals[i] = new double[n];
        }

        var deseasonalised = y.ToArray();
        var trend = new double[n];
        var remainder = new double[n];
        var weights = new double[n];
        for (var iteration = 0; iteration < options.Iterations; iteration++)
        {
            for (var i = 0; i < kept.Count; i++)
            {
                var seasonal = seasonals[i];
                for (var t = 0; t < n; t++)
                {
                    deseasonalised[t] += seasonal[t];
                }

                Stl.Decompose(deseasonalised, parameters[i], seasonal, trend, remainder, weights);
                for (var t = 0; t < n; t++)
                {
                    deseasonalised[t] -= seasonal[t];
                }
            }
        }

        for (var t = 0; t < n; t++)
        {
            remainder[t] = deseasonalised[t] - trend[t];
        }

        return new MstlResult(trend, kept, seasonals, remainder);
    }

    /// <summary>
    /// The periods MSTL will use on a series of <paramref name="length"/> points: ascending, without those that
    /// have fewer than two full cycles (2·p ≥ n), as <c>forecast::mstl</c> drops them.
    /// </summary>
    public static IReadOnlyList<int> UsablePeriods(IReadOnlyList<int> periods, int length)
    {
        ArgumentNullException.ThrowIfNull(periods);
        if (periods.Count == 0)
        {
            throw new ArgumentException("MSTL needs at least one period.", nameof(periods));
        }

        var kept = new List<int>(periods.Count);
        foreach (var p in periods)
        {
            if (p < 2)
            {
                throw new ArgumentException($"every MSTL period must be at least 2 (got {p}).", nameof(periods));
            }

            if (2L * p < length)
            {
                kept.Add(p);
            }
        }

        if (kept.Count == 0)
        {
            throw new ArgumentException(
                $"no period has two full cycles in {length} points (periods {string.Join(",", periods)}); give a shorter period or a longer series.",
                nameof(periods));
        }

        kept.Sort();
        return kept;
    }

    private static int? SeasonalWindow(IReadOnlyList<int?>? windows, int index, int count)
    {
        if (windows is null)
        {
            return 7 + (4 * (index + 1));
        }

        if (windows.Count == 1)
        {
            return windows[0];
        }

        return windows.Count >= count
            ? windows[index]
            : throw new ArgumentException($"MSTL got {windows.Count} seasonal windows for {count} periods; give one, or one per period.", nameof(windows));
    }
}
