using MathNet.Numerics.Distributions;

namespace MetricPipeline.LiveReplay;

/// <summary>The hourly counts of one metric, per plan (the total is their sum).</summary>
public sealed record GeneratedMetric(string Key, IReadOnlyDictionary<string, long[]> CountsByPlan);

/// <summary>
/// The replay's telemetry, seeded: five weeks of hourly counts per plan segment. For each series the expected rate is
/// <list type="bullet">
/// <item>a daily cycle from a night low of 1,000–1,300 events/h (04:00 UTC) to an afternoon high of 3,000–4,000 (16:00),</item>
/// <item>× a weekly cycle: Saturday and Sunday 20–35% lower (a holiday is a weekday at the weekend level),</item>
/// <item>× a slow drift for some series (exp(g·t), g up to ±10% over the five weeks; up to ±20% for the drift scenario),</item>
/// <item>× (1 + 0.03·N(0,1)), one draw per hour for the whole metric: 3% extra noise on the total,</item>
/// <item>× the scenario's change,</item>
/// </list>
/// split into plans free/pro/team (≈40/40/20%) whose counts are drawn separately, each Poisson, so the plan segments
/// sum to the total exactly as the rollup would store them. A ratio's numerator is a binomial draw of its denominator.
/// </summary>
public sealed class SeriesGenerator(Random random, DateTime start, int hours)
{
    public static readonly string[] Plans = ["free", "pro", "team"];

    private static readonly double[] PlanShares = [0.4, 0.4, 0.2];

    /// <summary>Counts of a metric whose rate at hour <c>i</c> of plan <c>p</c> is multiplied by <paramref name="change"/>(i, p).</summary>
    public GeneratedMetric Counts(string key, Func<int, string, double> change, double driftLimit, DateTime? holiday = null)
    {
        var rate = Rates(driftLimit, holiday);
        var shares = Shares();
        var counts = Plans.ToDictionary(p => p, _ => new long[hours], StringComparer.Ordinal);
        for (var i = 0; i < hours; i++)
        {
            var noise = ExtraNoise();
            for (var p = 0; p < Plans.Length; p++)
            {
                counts[Plans[p]][i] = Poisson.Sample(random, Math.Max(1e-6, rate[i] * noise * shares[p] * change(i, Plans[p])));
            }
        }

        return new GeneratedMetric(key, counts);
    }

    /// <summary>
    /// A ratio's numerator and denominator: the denominator is a count series, the numerator its binomial share with
    /// success rate p₀ ∈ [0.2, 0.4] × (1 + 0.03·N(0,1)) × <paramref name="change"/>(i).
    /// </summary>
    public (GeneratedMetric Numerator, GeneratedMetric Denominator) Ratio(string numeratorKey, string denominatorKey, Func<int, double> change)
    {
        var denominator = Counts(denominatorKey, (_, _) => 1, 0.1);
        var p0 = 0.2 + (0.2 * random.NextDouble());
        var numerator = Plans.ToDictionary(p => p, _ => new long[hours], StringComparer.Ordinal);
        for (var i = 0; i < hours; i++)
        {
            var p = Math.Clamp(p0 * ExtraNoise() * change(i), 0, 1);
            foreach (var plan in Plans)
            {
                var n = denominator.CountsByPlan[plan][i];
                numerator[plan][i] = n == 0 ? 0 : Binomial.Sample(random, p, (int)n);
            }
        }

        return (new GeneratedMetric(numeratorKey, numerator), denominator);
    }

    /// <summary>Expected total rate per hour before noise and change.</summary>
    private double[] Rates(double driftLimit, DateTime? holiday)
    {
        var low = 1000 + (300 * random.NextDouble());
        var high = 3000 + (1000 * random.NextDouble());
        var weekend = 1 - (0.20 + (0.15 * random.NextDouble()));
        var drift = driftLimit * ((2 * random.NextDouble()) - 1);
        var rate = new double[hours];
        for (var i = 0; i < hours; i++)
        {
            var t = start.AddHours(i);
            var daily = low + ((high - low) * (1 - Math.Cos(2 * Math.PI * (t.Hour - 4) / 24)) / 2);
            var restDay = t.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || (holiday is { } h && t.Date == h.Date);
            rate[i] = daily * (restDay ? weekend : 1) * Math.Exp(drift * i / hours);
        }

        return rate;
    }

    private double[] Shares()
    {
        var raw = PlanShares.Select(s => s * (0.9 + (0.2 * random.NextDouble()))).ToArray();
        var sum = raw.Sum();
        return [.. raw.Select(s => s / sum)];
    }

    private double ExtraNoise() => Math.Max(0, 1 + (0.03 * Normal.Sample(random, 0, 1)));
}
