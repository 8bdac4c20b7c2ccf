using MetricPipeline.Analysis.Statistics;

namespace MetricPipeline.Analysis.Detection;

/// <summary>
/// The seasonal part of a series learned robustly from its past: a within-cycle profile a(h) (the daily shape of hourly
/// data, the weekly shape of daily data) and a cycle effect b(d) (the day of the week of hourly data), so that
/// z_t ≈ level_t + a(phase t) + b(day of t). Seasonal(t) = a + b projects to any index, past the fitted data too.
/// </summary>
/// <remarks>
/// <para>
/// Fit on z[0, m): for every complete cycle j with mean m_j, a(h) = median over cycles of (z − m_j) at phase h, centred.
/// Each cycle's level L_j = mean(z − a) over the cycle; b(d) = median over complete cycles of the cycle's day d of
/// (L_j − the mean of L over the full longer cycle that holds j, as centred as the data allow), centred.
/// </para>
/// <para>
/// Medians over cycles, and levels taken cycle by cycle, make the fit robust to what a product's history holds: a past
/// level shift moves cycle levels, not the profile; an outage, a spike or a holiday is one cycle out of several at its
/// phase or weekday. With the separable form a(h) + b(d) the 24 + 7 numbers come from hundreds of observations, so
/// three weeks of history give a forecast whose own error is small next to the noise — a full 168-hour weekly
/// seasonal from three cycles would add √(1/3) of the noise to every forecast.
/// </para>
/// </remarks>
public sealed class SeasonalBaseline
{
    private readonly double[] profile;
    private readonly double[] blockEffect;

    private SeasonalBaseline(SeasonalLayout layout, double[] profile, double[] blockEffect, double cycleLevelVariance = 0, double blockEffectVariance = 0)
    {
        Layout = layout;
        this.profile = profile;
        this.blockEffect = blockEffect;
        CycleLevelVariance = cycleLevelVariance;
        BlockEffectVariance = blockEffectVariance;
    }

    /// <summary>
    /// The variance of one cycle's level (a day's mean) around its local level and day effect: the noise of its
    /// observations averaged, plus whatever moves whole days. 0 without cycle effects.
    /// </summary>
    public double CycleLevelVariance { get; }

    /// <summary>
    /// The variance of a cycle effect's own estimate (a median of a few weeks' deviations): an error every observation
    /// of that day shares, as the level's does. 0 without cycle effects.
    /// </summary>
    public double BlockEffectVariance { get; }

    public SeasonalLayout Layout { get; }

    /// <summary>The within-cycle profile a(h), centred (all zeros when it could not be learned).</summary>
    public IReadOnlyList<double> Profile => profile;

    /// <summary>The cycle effect b(d), centred (all zeros when it could not be learned).</summary>
    public IReadOnlyList<double> BlockEffect => blockEffect;

    /// <summary>a(phase t) + b(day of t).</summary>
    public double Seasonal(int t)
    {
        if (Layout.Period < 2)
        {
            return 0;
        }

        var cycle = Layout.Cycle(t);
        return profile[Layout.Phase(t)] + (Layout.Blocks >= 2 ? blockEffect[Layout.BlockPhase(cycle)] : 0);
    }

    /// <summary>Learns the baseline from <paramref name="z"/> (already on the scale it is additive on).</summary>
    public static SeasonalBaseline Fit(ReadOnlySpan<double> z, SeasonalLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var p = layout.Period;
        var profile = new double[Math.Max(p, 1)];
        var blockEffect = new double[Math.Max(layout.Blocks, 1)];
        if (p < 2)
        {
            return new SeasonalBaseline(layout, profile, blockEffect);
        }

        var m = z.Length;
        var firstComplete = layout.CycleStart(0) >= 0 ? 0 : 1;
        var lastComplete = layout.Cycle(m - 1) - (layout.Phase(m - 1) == p - 1 ? 0 : 1);
        var complete = lastComplete - firstComplete + 1;
        if (complete < 2)
        {
            return new SeasonalBaseline(layout, profile, blockEffect);
        }

        var means = new double[complete];
        for (var j = 0; j < complete; j++)
        {
            means[j] = Mean(z.Slice(layout.CycleStart(firstComplete + j), p));
        }

        var column = new double[complete];
        for (var h = 0; h < p; h++)
        {
            for (var j = 0; j < complete; j++)
            {
                column[j] = z[layout.CycleStart(firstComplete + j) + h] - means[j];
            }

            profile[h] = RobustStatistics.Median(column);
        }

        Centre(profile);

        var blocks = layout.Blocks;
        if (blocks >= 2 && complete >= 2 * blocks)
        {
            // A cycle's level (its mean of z − a is its mean of z: the profile is centred) against the local level
            // around it: the median of the day-adjusted levels of a full longer cycle (every day of the week once), so a
            // holiday or an outage among the neighbours does not move it. The day effects and the local levels are
            // learned in turn, from none, three times: the second round already carries the weekend out of the medians.
            var levels = means;
            var deviations = new List<double>[blocks];
            var window = new double[blocks];
            for (var round = 0; round < 3; round++)
            {
                for (var d = 0; d < blocks; d++)
                {
                    deviations[d] = [];
                }

                for (var j = 0; j < complete; j++)
                {
                    var start = Math.Clamp(j - (blocks / 2), 0, complete - blocks);
                    for (var k = start; k < start + blocks; k++)
                    {
                        window[k - start] = levels[k] - blockEffect[layout.BlockPhase(firstComplete + k)];
                    }

                    var local = round == 0 ? Mean(window) : RobustStatistics.MedianInPlace(window.AsSpan());
                    deviations[layout.BlockPhase(firstComplete + j)].Add(levels[j] - local);
                }

                for (var d = 0; d < blocks; d++)
                {
                    blockEffect[d] = RobustStatistics.Median(deviations[d].ToArray());
                }

                Centre(blockEffect);
            }

            // (π/2)·σ²/k for a median of k deviations; σ from the differences between deviations of the same day (a
            // spread around a median of three or four is too small: the median sits on one of them).
            var differences = new List<double>();
            for (var d = 0; d < blocks; d++)
            {
                for (var i = 0; i < deviations[d].Count; i++)
                {
                    for (var k = i + 1; k < deviations[d].Count; k++)
                    {
                        differences.Add(Math.Abs(deviations[d][i] - deviations[d][k]));
                    }
                }
            }

            var sigma = differences.Count == 0 ? 0 : RobustStatistics.MadToSigma * RobustStatistics.Median(differences.ToArray()) / Math.Sqrt(2);
            var perDay = (double)complete / blocks;
            var effectVariance = Math.PI / 2 * sigma * sigma / perDay;
            if (layout.Calendar && blocks == 7)
            {
                effectVariance = PoolWeekdays(blockEffect, effectVariance);
            }

            return new SeasonalBaseline(layout, profile, blockEffect, sigma * sigma, effectVariance);
        }

        return new SeasonalBaseline(layout, profile, blockEffect);
    }

    /// <summary>
    /// Partial pooling of the day effects within the working days and within the weekend (empirical Bayes): each effect
    /// moves towards its group's mean by v/(v + τ²), τ² the spread of the group's effects beyond their estimation
    /// variance v. Days that are alike (most products' Monday to Friday) then share one estimate from five times the
    /// data; a day that really differs keeps its own. Returns the mean variance of the pooled effects.
    /// </summary>
    private static double PoolWeekdays(double[] effect, double variance)
    {
        if (!(variance > 0))
        {
            return variance;
        }

        var pooledVariance = 0.0;
        foreach (var (first, count) in new[] { (0, 5), (5, 2) })
        {
            var group = effect.AsSpan(first, count);
            var mean = Mean(group);
            var spread = 0.0;
            foreach (var e in group)
            {
                spread += (e - mean) * (e - mean);
            }

            var between = Math.Max(0, (spread / (count - 1)) - variance);
            var keep = between / (between + variance);
            for (var i = 0; i < count; i++)
            {
                group[i] = mean + (keep * (group[i] - mean));
            }

            pooledVariance += count * variance * (keep + ((1 - keep) / count));
        }

        Centre(effect);
        return pooledVariance / 7;
    }

    private static double Mean(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v;
        }

        return sum / values.Length;
    }

    private static void Centre(double[] values)
    {
        var mean = Mean(values);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] -= mean;
        }
    }
}
