using MetricPipeline.Contracts;

namespace MetricPipeline.Cli.Simulation;

/// <summary>
/// Generates a scenario's events hour by hour. The expected count of event e in hour h is
/// <c>perHour(e) · daily[hourOfDay] · weekly[dayOfWeek] · exp(σZ − σ²/2)</c>, drawn as a Poisson
/// count; each event picks a user with probability proportional to the user's activity, and
/// scheduled effects thin (or boost) events whose properties match by the effect's rate multiplier.
/// Every hour is seeded from (scenario seed, absolute hour, product), so an hour's events are the
/// same whatever range it is generated in, and re-sending them is idempotent (same ids).
/// </summary>
public sealed class TelemetryGenerator
{
    private readonly Scenario _scenario;
    private readonly DateTimeOffset _start;
    private readonly double[] _daily;
    private readonly double[] _weekly;
    private readonly UserPool[] _pools;

    public TelemetryGenerator(Scenario scenario, DateTimeOffset start)
    {
        _scenario = scenario;
        _start = TruncateToHour(start);
        _daily = Normalised(scenario.Seasonality.Daily, 24);
        _weekly = Normalised(scenario.Seasonality.Weekly, 7);
        _pools = [.. scenario.Products.Select((p, i) => new UserPool(p, MixSeed(scenario.Seed, -1, i)))];
    }

    public DateTimeOffset Start => _start;

    /// <summary>The wall-clock start of each scheduled effect for this run.</summary>
    public IEnumerable<(ScheduledEffect Effect, DateTimeOffset At)> EffectTimes() =>
        _scenario.Effects.Select(e => (e, _start.AddHours(e.AtHour)));

    public IEnumerable<TelemetryEvent> Generate(int hours)
    {
        for (var h = 0; h < hours; h++)
        {
            foreach (var e in GenerateHour(h))
            {
                yield return e;
            }
        }
    }

    /// <summary>All events of hour <paramref name="hourOffset"/> after the start, ordered by timestamp.</summary>
    public List<TelemetryEvent> GenerateHour(int hourOffset)
    {
        var hourStart = _start.AddHours(hourOffset);
        var events = new List<TelemetryEvent>();
        var absoluteHour = hourStart.ToUnixTimeSeconds() / 3600;
        var seasonal = _daily[hourStart.Hour] * _weekly[((int)hourStart.DayOfWeek + 6) % 7];

        for (var p = 0; p < _scenario.Products.Count; p++)
        {
            var product = _scenario.Products[p];
            var random = new Random(MixSeed(_scenario.Seed, absoluteHour, p));
            var effects = _scenario.Effects
                .Where(e => (e.Product is null || e.Product == product.Name) && hourOffset >= e.AtHour && (e.UntilHour is null || hourOffset < e.UntilHour))
                .ToList();

            foreach (var spec in product.Events)
            {
                var noise = _scenario.Noise > 0 ? Math.Exp((_scenario.Noise * Gaussian(random)) - (_scenario.Noise * _scenario.Noise / 2)) : 1.0;
                var boost = Math.Max(1.0, effects.Select(e => e.Rates.GetValueOrDefault(spec.Name, 1.0)).DefaultIfEmpty(1.0).Max());
                var count = Poisson(random, spec.PerHour * seasonal * noise * boost);
                for (var i = 0; i < count; i++)
                {
                    var user = _pools[p].Pick(random);
                    var properties = new Dictionary<string, string>(user.Properties, StringComparer.Ordinal);
                    Draw(product.EventProperties, random, properties);
                    Draw(spec.Properties, random, properties);

                    var rate = 1.0;
                    var valueFactor = 1.0;
                    foreach (var effect in effects.Where(e => Matches(e.Where, properties)))
                    {
                        rate *= effect.Rates.GetValueOrDefault(spec.Name, 1.0);
                        valueFactor *= effect.Values.GetValueOrDefault(spec.Name, 1.0);
                        foreach (var (key, overridden) in effect.Properties)
                        {
                            properties[key] = overridden;
                        }
                    }

                    // Draw everything before the keep/drop decision so the random stream does not depend on it.
                    var keep = random.NextDouble() < rate / boost;
                    var value = DrawValue(spec.Value, random) * valueFactor;
                    var timestamp = hourStart.AddMilliseconds(random.Next(3_600_000));
                    var id = NewId(random);
                    if (keep)
                    {
                        events.Add(new TelemetryEvent(id, product.Name, spec.Name, timestamp, user.Id, Round(value, spec.Value), properties));
                    }
                }
            }
        }

        events.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        return events;
    }

    private static bool Matches(Dictionary<string, string> where, Dictionary<string, string> properties) =>
        where.All(w => properties.TryGetValue(w.Key, out var v) && v == w.Value);

    internal static void Draw(Dictionary<string, Dictionary<string, double>> mixes, Random random, Dictionary<string, string> into)
    {
        foreach (var (property, weights) in mixes)
        {
            var u = random.NextDouble() * weights.Values.Sum();
            var chosen = weights.Keys.Last();
            foreach (var (value, weight) in weights)
            {
                if (u < weight)
                {
                    chosen = value;
                    break;
                }

                u -= weight;
            }

            into[property] = chosen;
        }
    }

    private static double DrawValue(ValueDistribution? distribution, Random random) =>
        distribution is null ? 1.0 : Math.Max(distribution.Min, distribution.Mean + (distribution.Sd * Gaussian(random)));

    private static double Round(double value, ValueDistribution? distribution) =>
        distribution is null ? value : Math.Round(value, Math.Clamp(distribution.Decimals, 0, 15));

    /// <summary>A version-4-shaped GUID from the seeded stream, so ids repeat with the data.</summary>
    private static Guid NewId(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>Standard normal by Box–Muller.</summary>
    internal static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Poisson(λ): Knuth's product method below λ = 30, the rounded normal N(λ, λ) above (error under 1% there).</summary>
    internal static int Poisson(Random random, double lambda)
    {
        if (!(lambda > 0))
        {
            return 0;
        }

        if (lambda >= 30)
        {
            return Math.Max(0, (int)Math.Round(lambda + (Math.Sqrt(lambda) * Gaussian(random))));
        }

        var limit = Math.Exp(-lambda);
        var k = 0;
        for (var product = random.NextDouble(); product > limit; product *= random.NextDouble())
        {
            k++;
        }

        return k;
    }

    private static double[] Normalised(List<double> values, int length)
    {
        if (values.Count == 0 || values.Sum() <= 0)
        {
            return [.. Enumerable.Repeat(1.0, length)];
        }

        var mean = values.Average();
        return [.. values.Select(v => v / mean)];
    }

    private static DateTimeOffset TruncateToHour(DateTimeOffset t)
    {
        var utc = t.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    /// <summary>SplitMix64 finaliser over (seed, hour, product): independent, reproducible streams per hour.</summary>
    private static int MixSeed(int seed, long hour, int product)
    {
        unchecked
        {
            var z = ((ulong)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)hour * 0xBF58476D1CE4E5B9UL) ^ ((ulong)product * 0x94D049BB133111EBUL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z & 0x7FFFFFFF);
        }
    }
}
