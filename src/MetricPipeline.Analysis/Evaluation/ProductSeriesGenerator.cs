namespace MetricPipeline.Analysis.Evaluation;

/// <summary>A synthetic hourly product metric with its ground truth.</summary>
public sealed record ProductSeries(double[] Y, int[] LevelShifts, double[] ShiftSizes, int[] Spikes);

/// <summary>
/// Seeded generator of hourly product-metric counts: yₜ ~ Poisson(λₜ · εₜ) with
/// λₜ = base · daily(hour) · weekly(day) · (1 + drift·t/n) · Π shifts, εₜ ~ LogNormal(0, 0.02²) extra-Poisson
/// noise; daily(h) = 1 + a·sin(2π(h−6)/24) + 0.25a·cos(4πh/24), weekend days scaled by w ∈ [0.7, 0.9];
/// level shifts multiply λ by (1 ± U(0.05, 0.30)) from their index on; single-hour spikes multiply one hour by
/// U(1.8, 3) or (dips) U(0.15, 0.4). The same seed always gives the same series.
/// </summary>
public static class ProductSeriesGenerator
{
    /// <summary>Generates <paramref name="hours"/> points; <paramref name="withShifts"/> false gives a null series (no level shift).</summary>
    public static ProductSeries Generate(int seed, int hours = 2160, bool withShifts = true)
    {
        var rng = new Random(seed);
        var baseRate = Math.Exp(Uniform(rng, Math.Log(200), Math.Log(5000)));
        var dailyAmplitude = Uniform(rng, 0.3, 0.6);
        var weekend = Uniform(rng, 0.7, 0.9);
        var drift = Uniform(rng, -0.10, 0.10);
        var startDay = rng.Next(7);

        var shifts = new List<int>();
        var sizes = new List<double>();
        if (withShifts)
        {
            var count = 1 + rng.Next(2);
            while (shifts.Count < count)
            {
                var at = 7 * 24 + rng.Next(hours - (14 * 24));
                if (shifts.TrueForAll(s => Math.Abs(s - at) >= 7 * 24))
                {
                    shifts.Add(at);
                    sizes.Add((rng.Next(2) == 0 ? -1 : 1) * Uniform(rng, 0.05, 0.30));
                }
            }
        }

        var spikes = new List<int>();
        var spikeCount = rng.Next(5);
        while (spikes.Count < spikeCount)
        {
            var at = 24 + rng.Next(hours - 48);
            if (spikes.TrueForAll(s => Math.Abs(s - at) > 24) && shifts.TrueForAll(s => Math.Abs(s - at) > 24))
            {
                spikes.Add(at);
            }
        }

        var order = Enumerable.Range(0, shifts.Count).OrderBy(i => shifts[i]).ToArray();
        int[] shiftIndex = [.. order.Select(i => shifts[i])];
        double[] shiftSize = [.. order.Select(i => sizes[i])];
        spikes.Sort();

        var y = new double[hours];
        for (var t = 0; t < hours; t++)
        {
            var hour = t % 24;
            var day = (startDay + (t / 24)) % 7;
            var lambda = baseRate
                * (1 + (dailyAmplitude * Math.Sin(2 * Math.PI * (hour - 6) / 24)) + (0.25 * dailyAmplitude * Math.Cos(4 * Math.PI * hour / 24)))
                * (day >= 5 ? weekend : 1)
                * (1 + (drift * t / hours));
            for (var s = 0; s < shiftIndex.Length; s++)
            {
                if (t >= shiftIndex[s])
                {
                    lambda *= 1 + shiftSize[s];
                }
            }

            if (spikes.BinarySearch(t) >= 0)
            {
                lambda *= rng.Next(3) == 0 ? Uniform(rng, 0.15, 0.4) : Uniform(rng, 1.8, 3.0);
            }

            lambda *= Math.Exp(0.02 * Normal(rng));
            y[t] = Poisson(rng, lambda);
        }

        return new ProductSeries(y, shiftIndex, shiftSize, [.. spikes]);
    }

    private static double Uniform(Random rng, double low, double high) => low + ((high - low) * rng.NextDouble());

    internal static double Normal(Random rng)
    {
        // Box–Muller; 1 − U keeps the logarithm finite.
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Knuth's product method for small rates; above 30 the Normal approximation N(λ, λ), rounded and kept ≥ 0.</summary>
    internal static double Poisson(Random rng, double lambda)
    {
        if (lambda < 30)
        {
            var limit = Math.Exp(-lambda);
            var k = 0;
            var p = rng.NextDouble();
            while (p > limit)
            {
                k++;
                p *= rng.NextDouble();
            }

            return k;
        }

        return Math.Max(0, Math.Round(lambda + (Math.Sqrt(lambda) * Normal(rng))));
    }
}
