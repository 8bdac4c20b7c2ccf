using MetricPipeline.Analysis.Impact;

namespace MetricPipeline.Analysis.Tests.Impact;

public sealed class CounterfactualEffectTests
{
    private static readonly int[] DailyAndWeekly = [24, 168];

    /// <summary>Three weeks of hourly data around 1,000/h with daily (±30 %) and weekly (weekend −15 %) cycles and 3 % Gaussian noise.</summary>
    private static double[] Hourly(int seed, int hours = 504, int dropAt = -1, double drop = 0)
    {
        var random = new Random(seed);
        var y = new double[hours];
        for (var t = 0; t < hours; t++)
        {
            var daily = 1 + (0.3 * Math.Sin(2 * Math.PI * t / 24));
            var weekly = (t / 24 % 7) >= 5 ? 0.85 : 1.0;
            var level = 1000 * daily * weekly * (dropAt >= 0 && t >= dropAt ? 1 - drop : 1);
            var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            y[t] = level * (1 + (0.03 * gaussian));
        }

        return y;
    }

    [Fact]
    public void A_fifteen_percent_drop_has_an_interval_below_zero_around_the_true_size()
    {
        var y = Hourly(seed: 7, dropAt: 504 - 36, drop: 0.15);

        var effect = CounterfactualEffect.Estimate(y, 504 - 36, DailyAndWeekly);

        Assert.True(effect.High < 0, $"interval [{effect.Low:P2}, {effect.High:P2}] should lie below zero");
        Assert.InRange(effect.Relative, -0.17, -0.13);
        Assert.Equal(DailyAndWeekly, effect.Periods);
        Assert.Equal(36, effect.PostPoints);
    }

    [Fact]
    public void Without_a_change_the_interval_spans_zero_at_about_its_confidence()
    {
        // 95 % intervals over 40 independent no-change series: at least 34 must contain zero (P(X ≤ 33) < 0.1 % for
        // Binomial(40, 0.95)), and they must be informative: mean half-width under 3 %.
        var spans = 0;
        var width = 0.0;
        for (var seed = 1; seed <= 40; seed++)
        {
            var effect = CounterfactualEffect.Estimate(Hourly(seed), 504 - 36, DailyAndWeekly);
            spans += effect.Low <= 0 && effect.High >= 0 ? 1 : 0;
            width += (effect.High - effect.Low) / 2 / 40;
        }

        Assert.InRange(spans, 34, 40);
        Assert.InRange(width, 0.001, 0.03);
    }

    [Fact]
    public void A_pre_window_too_short_for_a_weekly_cycle_uses_the_daily_one_only()
    {
        var y = Hourly(seed: 3, hours: 200, dropAt: 150, drop: 0.2);

        var effect = CounterfactualEffect.Estimate(y, 150, DailyAndWeekly);

        Assert.Equal([24], effect.Periods);
        Assert.True(effect.High < 0, $"interval [{effect.Low:P2}, {effect.High:P2}] should lie below zero");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(504)]
    public void A_change_index_without_points_on_both_sides_is_refused(int index)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => CounterfactualEffect.Estimate(Hourly(1), index, DailyAndWeekly));
        Assert.Contains("at least 2 points before it", error.Message, StringComparison.Ordinal);
    }
}
