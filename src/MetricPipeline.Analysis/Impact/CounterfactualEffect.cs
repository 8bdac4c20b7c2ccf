using MathNet.Numerics.Distributions;
using MetricPipeline.Analysis.Decomposition;
using MetricPipeline.Analysis.Statistics;

namespace MetricPipeline.Analysis.Impact;

/// <summary>
/// The effect of an intervention at index k, measured over the post window [k, k + m): observed and counterfactual
/// means, their relative difference and its interval. <see cref="Relative"/> = (Ō − Ē)/|Ē|; <see cref="Low"/> and
/// <see cref="High"/> bound it at the requested confidence; <see cref="ExpectedLow"/>..<see cref="ExpectedHigh"/> is
/// the range the post-window mean would have fallen in without the intervention. Relative figures are NaN when the
/// counterfactual mean is zero.
/// </summary>
public sealed record EffectEstimate(
    double Relative, double Low, double High, double Observed, double Expected, double ExpectedLow, double ExpectedHigh,
    int PrePoints, int PostPoints, IReadOnlyList<int> Periods);

/// <summary>
/// Counterfactual effect estimate from the pre-intervention decomposition.
/// </summary>
/// <remarks>
/// <para>
/// 1. Decompose the pre-intervention part y[0, k) — STL for one usable period, MSTL for several (a period is usable
/// when the pre part holds more than two of its cycles, as in <c>forecast::mstl</c>); none usable: no seasonality.
/// </para>
/// <para>
/// 2. Project: each seasonal component repeats its last full cycle, S_j(t) = S_j(k − p_j + (t − k) mod p_j); the level
/// is flat at L = mean of the deseasonalised d = y − ΣS over the last w = min(k, max(p_max, 24)) pre points. The
/// counterfactual is ŷ_t = L + Σ_j S_j(t).
/// </para>
/// <para>
/// 3. Effect: D̄ = mean(y_t − ŷ_t) over the post window, Ē = mean(ŷ_t), relative effect D̄/|Ē|.
/// </para>
/// <para>
/// 4. Interval: the residuals r = d − L over the same w pre points give a robust noise scale σ = 1.4826·MAD(r) and a
/// lag-1 autocorrelation ρ (clamped to [0, 0.95]). With the AR(1) variance inflation f = (1 + ρ)/(1 − ρ), the error
/// of D̄ has two independent parts, the post-window mean and the estimated level:
/// se = σ·√(f·(1/m + 1/w)); the interval is (D̄ ± z·se)/|Ē| with z = Φ⁻¹((1 + confidence)/2), and the expected range
/// is Ē ± z·se. The seasonal projection's own error is not included: with the s.window 7 smoothing of the seasonal
/// cycles it is small next to σ/√m for the windows the detector uses.
/// </para>
/// </remarks>
public static class CounterfactualEffect
{
    /// <summary>
    /// Estimates the effect of a change at <paramref name="changeIndex"/> on <paramref name="y"/> over the post window of
    /// <paramref name="postLength"/> points (default: to the end of the series) starting at <paramref name="postStart"/>
    /// (default: the change itself; a later start asks "where is the series now against where it would be").
    /// </summary>
    public static EffectEstimate Estimate(
        ReadOnlySpan<double> y, int changeIndex, IReadOnlyList<int> periods, int? postLength = null, double confidence = 0.95, int? postStart = null)
    {
        ArgumentNullException.ThrowIfNull(periods);
        var n = y.Length;
        if (changeIndex < 2 || changeIndex >= n)
        {
            throw new ArgumentOutOfRangeException(nameof(changeIndex), changeIndex, $"the change must leave at least 2 points before it and 1 after it in a series of {n}");
        }

        if (confidence is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "confidence must lie strictly between 0 and 1");
        }

        foreach (var v in y)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException("the series contains a missing or non-finite value; fill it before estimating an effect", nameof(y));
            }
        }

        var k = changeIndex;
        var start = postStart ?? k;
        if (start < k || start >= n)
        {
            throw new ArgumentOutOfRangeException(nameof(postStart), postStart, $"the post window must start between the change ({k}) and the last point ({n - 1})");
        }

        var m = Math.Min(postLength ?? n - start, n - start);
        if (m < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(postLength), postLength, "the post window must hold at least one point");
        }

        var pre = y[..k];
        var usable = periods.Where(p => p >= 2 && 2L * p < k).Distinct().Order().ToList();
        var seasonals = Seasonals(pre, usable);

        var w = Math.Min(k, Math.Max(usable.Count > 0 ? usable[^1] : 0, 24));
        var deseasonalised = new double[w];
        for (var i = 0; i < w; i++)
        {
            var t = k - w + i;
            deseasonalised[i] = pre[t] - seasonals.Sum(s => s[t]);
        }

        var level = deseasonalised.Average();
        double observed = 0, expected = 0;
        for (var t = start; t < start + m; t++)
        {
            var counterfactual = level;
            for (var j = 0; j < usable.Count; j++)
            {
                counterfactual += seasonals[j][k - usable[j] + ((t - k) % usable[j])];
            }

            observed += y[t];
            expected += counterfactual;
        }

        observed /= m;
        expected /= m;
        var difference = observed - expected;

        var residual = deseasonalised.Select(d => d - level).ToArray();
        var sigma = RobustStatistics.MadToSigma * RobustStatistics.MedianAbsoluteDeviation(residual, RobustStatistics.Median(residual));
        var rho = Math.Clamp(AutocorrelatedNoise.LagOneAutocorrelation(residual), 0, 0.95);
        var inflation = (1 + rho) / (1 - rho);
        var se = sigma * Math.Sqrt(inflation * ((1.0 / m) + (1.0 / w)));
        var z = Normal.InvCDF(0, 1, (1 + confidence) / 2);

        var scale = Math.Abs(expected);
        var relative = scale == 0 ? double.NaN : difference / scale;
        var low = scale == 0 ? double.NaN : (difference - (z * se)) / scale;
        var high = scale == 0 ? double.NaN : (difference + (z * se)) / scale;
        return new EffectEstimate(relative, low, high, observed, expected, expected - (z * se), expected + (z * se), k, m, usable);
    }

    /// <summary>Seasonal components of the pre part, one array per usable period (none without periods).</summary>
    private static List<double[]> Seasonals(ReadOnlySpan<double> pre, List<int> usable)
    {
        if (usable.Count == 0)
        {
            return [];
        }

        if (usable.Count == 1)
        {
            return [Stl.Decompose(pre, new StlOptions { Period = usable[0], SeasonalWindow = 7 }).Seasonal];
        }

        return [.. Mstl.Decompose(pre, usable).Seasonals];
    }

}
