using MetricPipeline.Analysis.Statistics;

namespace MetricPipeline.Analysis.Detection;

/// <summary>
/// The variance of one observation on the detection scale: for counts on log(y + c), σₓ² + μ/(μ + c)² (extra-Poisson
/// plus Poisson, μ = e^ẑ − c the expected count), otherwise a constant σ²; and the long-run factor f = (1 + ρ)/(1 − ρ)
/// of the errors' lag-1 autocorrelation ρ ∈ [0, 0.8], by which the variance of a mean over many observations grows.
/// </summary>
internal sealed class NoiseModel
{
    /// <summary>Median of χ²₁: what the median squared standardised residual is when the variances are right.</summary>
    private const double ChiSquareMedian = 0.454936;

    private readonly double extra;
    private readonly bool countLike;
    private readonly double offset;

    private NoiseModel(double extra, bool countLike, double offset, double longRunFactor)
    {
        this.extra = extra;
        this.countLike = countLike;
        this.offset = offset;
        LongRunFactor = longRunFactor;
    }

    public double LongRunFactor { get; }

    /// <summary>σₓ² (counts) or σ² (otherwise).</summary>
    public double Extra => extra;


    /// <summary>Variance of an observation whose expected value on the detection scale is <paramref name="fitted"/>.</summary>
    public double Variance(double fitted) => Math.Max(1e-12, countLike ? extra + Poisson(fitted) : extra);

    /// <summary>
    /// Learns the noise from the deseasonalised past <paramref name="d"/>: residuals around its rolling median over
    /// <paramref name="window"/> observations (a local level that follows past shifts).
    /// </summary>
    public static NoiseModel Fit(ReadOnlySpan<double> d, SeasonalBaseline baseline, int window, bool countLike, double offset)
    {
        var m = d.Length;
        var residual = new double[m];
        var fitted = new double[m];
        var half = window / 2;
        var buffer = new double[window];
        for (var t = 0; t < m; t++)
        {
            // The median of the neighbours, without the point itself: a residual against a level that includes the
            // point is too small (by a fifth for 25 points), one against its neighbours has variance σ²·(1 + π/2/k).
            var from = Math.Max(0, Math.Min(t - half, m - window));
            var length = 0;
            for (var i = from; i < Math.Min(m, from + window); i++)
            {
                if (i != t)
                {
                    buffer[length++] = d[i];
                }
            }

            var local = RobustStatistics.MedianInPlace(buffer.AsSpan(0, length));
            residual[t] = d[t] - local;
            fitted[t] = local + baseline.Seasonal(t);
        }

        var inflation = 1 + (Math.PI / 2 / Math.Max(1, Math.Min(window, m) - 1));
        for (var t = 0; t < m; t++)
        {
            residual[t] /= Math.Sqrt(inflation);
        }

        double extra;
        if (countLike)
        {
            var poisson = fitted.Select(f => Poisson(f, offset)).ToArray();
            extra = SolveExtra(residual, poisson);
        }
        else
        {
            var sigma = RobustStatistics.MadToSigma * RobustStatistics.MedianAbsoluteDeviation(residual, RobustStatistics.Median(residual));
            extra = sigma * sigma;
        }

        var model = new NoiseModel(extra, countLike, offset, 1);
        var standardised = new double[m];
        for (var t = 0; t < m; t++)
        {
            standardised[t] = Math.Clamp(residual[t] / Math.Sqrt(model.Variance(fitted[t])), -4, 4);
        }

        var rho = Math.Clamp(AutocorrelatedNoise.LagOneAutocorrelation(standardised), 0, 0.8);
        return new NoiseModel(extra, countLike, offset, (1 + rho) / (1 - rho));
    }

    /// <summary>The skewness of a bucket's log value at <paramref name="fitted"/> (<see cref="LiveDetector.LogCountSkewness"/>); zero unless a count.</summary>
    public double Skewness(double fitted) => countLike ? LiveDetector.LogCountSkewness(Poisson(fitted), extra) : 0;

    private double Poisson(double fitted) => Poisson(fitted, offset);

    private static double Poisson(double fitted, double offset)
    {
        // Var log(Y + c) ≈ μ/(μ + c)² for Y ~ Poisson(μ); μ no lower than c keeps an empty bucket's variance finite.
        var mu = Math.Max(0, Math.Exp(fitted) - offset);
        return Math.Max(mu, offset) / ((mu + offset) * (mu + offset));
    }

    /// <summary>σₓ² ≥ 0 with median(r²/(σₓ² + v)) = median of χ²₁, by bisection.</summary>
    private static double SolveExtra(double[] residual, double[] poisson)
    {
        var ratios = new double[residual.Length];
        double Excess(double x)
        {
            for (var t = 0; t < residual.Length; t++)
            {
                ratios[t] = residual[t] * residual[t] / (x + poisson[t]);
            }

            return RobustStatistics.MedianInPlace(ratios) - ChiSquareMedian;
        }

        if (Excess(0) <= 0)
        {
            return 0;
        }

        double lo = 0, hi = residual.Max(r => r * r) + 1e-12;
        for (var i = 0; i < 60; i++)
        {
            var mid = (lo + hi) / 2;
            (lo, hi) = Excess(mid) > 0 ? (mid, hi) : (lo, mid);
        }

        return (lo + hi) / 2;
    }

}
