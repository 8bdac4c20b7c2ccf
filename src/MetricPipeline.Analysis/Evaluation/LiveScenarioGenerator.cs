namespace MetricPipeline.Analysis.Evaluation;

/// <summary>What happens to a live scenario's series, from <see cref="At"/> (a fractional hour index: 100.5 is half past).</summary>
public sealed record LiveEvent(LiveEventKind Kind, double At, double Factor, int Hours = 0);

public enum LiveEventKind
{
    /// <summary>The rate is multiplied by the factor from the event on.</summary>
    Shift,

    /// <summary>The rate is multiplied by the factor for <see cref="LiveEvent.Hours"/> hours (an outage, a dip).</summary>
    Transient,

    /// <summary>One weekday at the weekend's level (a public holiday): the day that holds the event.</summary>
    Holiday,
}

/// <summary>A generated hourly count series: its values, the start of its first bucket, and what was done to it.</summary>
public sealed record LiveScenario(double[] Y, DateTime Start, IReadOnlyList<LiveEvent> Events);

/// <summary>
/// Seeded hourly product counts as a live product sends them: y ~ Poisson(λ·ε) with
/// λ = base · daily(h) · weekly(d) · (1 + drift·t/n) · events, ε ~ LogNormal(0, <paramref name="extraNoise"/>²); the daily
/// cycle runs between about 1,000 and 4,000 events an hour for base 2,500, the weekend is 20–35 % lower. A change
/// inside an hour applies to that hour's remaining minutes only, as a real drop would.
/// </summary>
public static class LiveScenarioGenerator
{
    public static LiveScenario Generate(int seed, int hours, IReadOnlyList<LiveEvent> events, double baseRate = 2500, double extraNoise = 0.03, double drift = 0, DateTime? start = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        var rng = new Random(seed);
        var first = start ?? new DateTime(2026, 10, 5, 0, 0, 0, DateTimeKind.Utc).AddHours(rng.Next(24 * 7));
        var weekend = 0.65 + (0.15 * rng.NextDouble());
        var amplitude = 0.55 + (0.1 * rng.NextDouble());
        var y = new double[hours];
        for (var t = 0; t < hours; t++)
        {
            var time = first.AddHours(t);
            var day = ((int)time.DayOfWeek + 6) % 7;
            var isWeekend = day >= 5 || events.Any(e => e.Kind == LiveEventKind.Holiday && SameDay(first, e.At, t));
            var lambda = baseRate
                * (1 + (amplitude * Math.Sin(2 * Math.PI * (time.Hour - 9) / 24)))
                * (isWeekend ? weekend : 1)
                * (1 + (drift * t / hours));
            foreach (var e in events)
            {
                var covered = e.Kind switch
                {
                    LiveEventKind.Shift => Overlap(t, e.At, double.PositiveInfinity),
                    LiveEventKind.Transient => Overlap(t, e.At, e.At + e.Hours),
                    _ => 0,
                };
                lambda *= 1 + ((e.Factor - 1) * covered);
            }

            lambda *= Math.Exp((extraNoise * ProductSeriesGenerator.Normal(rng)) - (extraNoise * extraNoise / 2));
            y[t] = ProductSeriesGenerator.Poisson(rng, lambda);
        }

        return new LiveScenario(y, first, events);
    }

    /// <summary>The share of hour t that lies in [from, to).</summary>
    private static double Overlap(int t, double from, double to) => Math.Clamp(Math.Min(t + 1, to) - Math.Max(t, from), 0, 1);

    private static bool SameDay(DateTime first, double at, int t) =>
        first.AddHours(at).Date == first.AddHours(t).Date;

}
