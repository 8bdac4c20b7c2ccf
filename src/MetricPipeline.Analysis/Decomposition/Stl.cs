using System.Buffers;

namespace MetricPipeline.Analysis.Decomposition;

/// <summary>STL parameters. Null means R's <c>stats::stl</c> default; <see cref="SeasonalWindow"/> null means "periodic".</summary>
public sealed record StlOptions
{
    public required int Period { get; init; }
    public int? SeasonalWindow { get; init; }
    public int SeasonalDegree { get; init; }
    public int? TrendWindow { get; init; }
    public int TrendDegree { get; init; } = 1;
    public int? LowPassWindow { get; init; }
    public int? LowPassDegree { get; init; }
    public int? SeasonalJump { get; init; }
    public int? TrendJump { get; init; }
    public int? LowPassJump { get; init; }
    public int? Inner { get; init; }
    public int? Outer { get; init; }
    public bool Robust { get; init; }
}

/// <summary>y = Seasonal + Trend + Remainder; Weights are the robustness weights of the last pass (all 1 without outer iterations).</summary>
public sealed record StlResult(double[] Seasonal, double[] Trend, double[] Remainder, double[] Weights);

/// <summary>
/// Seasonal-trend decomposition by LOESS (Cleveland, Cleveland, McRae and Terpenning 1990), computing what R's
/// <c>stats::stl</c> computes, with R's defaults.
/// </summary>
/// <remarks>
/// Each inner iteration: detrend (y − T), smooth each cycle-subseries with LOESS(s.window) and extend it by one
/// point at each end (C), low-pass filter C with MA(p) → MA(p) → MA(3) → LOESS(l.window) (L), take S = C − L,
/// and smooth the deseasonalised series y − S with LOESS(t.window) into T. The algorithm runs outer + 1 passes of
/// inner iterations; between passes the robustness weights are recomputed from y − (S + T). With a "periodic"
/// seasonal window the seasonal component is finally replaced by its mean at each cycle position (t mod p).
/// The remainder is y − S − T. Robustness weights use the exact median (R's Fortran differs slightly for even n).
/// </remarks>
public static class Stl
{
    /// <summary>Decomposes <paramref name="y"/> with <paramref name="options"/>, defaults as in R's <c>stats::stl</c>.</summary>
    public static StlResult Decompose(ReadOnlySpan<double> y, StlOptions options) =>
        Decompose(y, StlParameters.Resolve(options, y.Length));

    /// <summary>Decomposes <paramref name="y"/> with fully resolved <paramref name="parameters"/>.</summary>
    public static StlResult Decompose(ReadOnlySpan<double> y, StlParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var n = y.Length;
        var result = new StlResult(new double[n], new double[n], new double[n], new double[n]);
        Decompose(y, parameters, result.Seasonal, result.Trend, result.Remainder, result.Weights);
        return result;
    }

    /// <summary>The parameters R would use for <paramref name="options"/> on a series of <paramref name="length"/> points.</summary>
    public static StlParameters Parameters(StlOptions options, int length) => StlParameters.Resolve(options, length);

    /// <summary>
    /// Decomposes <paramref name="y"/> into caller-provided buffers of length n; work space comes from the shared
    /// array pool, so repeated calls do not allocate. The four buffers must not overlap <paramref name="y"/> or each other.
    /// </summary>
    public static void Decompose(
        ReadOnlySpan<double> y,
        StlParameters parameters,
        Span<double> seasonal,
        Span<double> trend,
        Span<double> remainder,
        Span<double> weights)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var n = y.Length;
        parameters.Validate(n);
        CheckOutput(seasonal, n, nameof(seasonal));
        CheckOutput(trend, n, nameof(trend));
        CheckOutput(remainder, n, nameof(remainder));
        CheckOutput(weights, n, nameof(weights));
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(y[i]))
            {
                throw new ArgumentException($"STL needs finite values: y[{i}] is {y[i]}; fill or drop missing points first.", nameof(y));
            }
        }

        var p = parameters.Period;
        var extendedLength = n + (2 * p);
        var rented = ArrayPool<double>.Shared.Rent(7 * extendedLength);
        try
        {
            var work = new Workspace(rented.AsSpan(0, 7 * extendedLength), n, p);
            seasonal = seasonal[..n];
            trend = trend[..n];
            weights = weights[..n];
            trend.Clear();
            var useRobustness = false;
            for (var pass = 0; ; pass++)
            {
                RunPass(y, parameters, useRobustness ? weights : [], seasonal, trend, work);
                if (pass >= parameters.Outer)
                {
                    break;
                }

                RobustnessWeights.Compute(y, seasonal, trend, weights, work.Detrended);
                useRobustness = true;
            }

            if (parameters.Outer <= 0)
            {
                weights.Fill(1.0);
            }

            if (parameters.Periodic)
            {
                AverageCyclePositions(seasonal, p);
            }

            for (var i = 0; i < n; i++)
            {
                remainder[i] = y[i] - seasonal[i] - trend[i];
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    // One pass of `inner` iterations (the netlib `stlstp`).
    private static void RunPass(
        ReadOnlySpan<double> y,
        StlParameters parameters,
        ReadOnlySpan<double> robustness,
        Span<double> seasonal,
        Span<double> trend,
        Workspace work)
    {
        var n = y.Length;
        var p = parameters.Period;
        for (var iteration = 0; iteration < parameters.Inner; iteration++)
        {
            var detrended = work.Detrended;
            for (var i = 0; i < n; i++)
            {
                detrended[i] = y[i] - trend[i];
            }

            CycleSubseries.Smooth(
                detrended,
                p,
                parameters.EffectiveSeasonalWindow,
                parameters.SeasonalDegree,
                parameters.SeasonalJump,
                robustness,
                work.Extended,
                work.Subseries,
                work.SubseriesRobustness,
                work.SubseriesFit,
                work.LoessWeights);

            var lowPass = work.Detrended;
            LowPassFilter.Apply(
                work.Extended,
                p,
                parameters.EffectiveLowPassWindow,
                parameters.LowPassDegree,
                parameters.LowPassJump,
                lowPass,
                work.First,
                work.Second,
                work.LoessWeights);

            var extended = work.Extended;
            for (var i = 0; i < n; i++)
            {
                seasonal[i] = extended[p + i] - lowPass[i];
            }

            var deseasonalised = work.Detrended;
            for (var i = 0; i < n; i++)
            {
                deseasonalised[i] = y[i] - seasonal[i];
            }

            Loess.Smooth(
                deseasonalised,
                parameters.EffectiveTrendWindow,
                parameters.TrendDegree,
                parameters.TrendJump,
                robustness,
                trend,
                work.LoessWeights);
        }
    }

    // R's stl with s.window = "periodic": seasonal := mean of the seasonal values at the same cycle position.
    private static void AverageCyclePositions(Span<double> seasonal, int period)
    {
        var n = seasonal.Length;
        for (var j = 0; j < period; j++)
        {
            var count = 0;
            var sum = 0.0;
            for (var i = j; i < n; i += period)
            {
                sum += seasonal[i];
                count++;
            }

            // Second pass corrects the rounding of the first, as R's mean() does.
            var mean = sum / count;
            var correction = 0.0;
            for (var i = j; i < n; i += period)
            {
                correction += seasonal[i] - mean;
            }

            mean += correction / count;
            for (var i = j; i < n; i += period)
            {
                seasonal[i] = mean;
            }
        }
    }

    private static void CheckOutput(Span<double> buffer, int n, string name)
    {
        if (buffer.Length < n)
        {
            throw new ArgumentException($"{name} buffer holds {buffer.Length} values but the series has {n}.", name);
        }
    }

    // Seven work vectors of length n + 2p: the netlib code's five, with LOESS scratch of three.
    private readonly ref struct Workspace
    {
        public Workspace(Span<double> memory, int n, int period)
        {
            var length = n + (2 * period);
            Detrended = memory.Slice(0, n);
            Extended = memory.Slice(length, length);
            First = memory.Slice(2 * length, length);
            Second = memory.Slice(3 * length, length);
            LoessWeights = memory.Slice(4 * length, 3 * length);

            // The cycle-subseries (at most ⌈n/p⌉ points, + 2 when fitted) share the moving-average buffers,
            // which are not in use while the subseries are smoothed.
            var longest = ((n - 1) / period) + 1;
            Subseries = First[..longest];
            SubseriesFit = First.Slice(longest, longest + 2);
            SubseriesRobustness = Second[..longest];
        }

        public Span<double> Detrended { get; }

        public Span<double> Extended { get; }

        public Span<double> First { get; }

        public Span<double> Second { get; }

        public Span<double> Subseries { get; }

        public Span<double> SubseriesFit { get; }

        public Span<double> SubseriesRobustness { get; }

        public Span<double> LoessWeights { get; }
    }
}
