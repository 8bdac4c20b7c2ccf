namespace MetricPipeline.Benchmarks;

/// <summary>
/// A deterministic hourly product-metric series shaped like the reference's benchmark data: a daily cycle, a
/// day-of-week effect, a slow drift and Gaussian noise.
/// </summary>
public static class HourlySeries
{
    private static readonly double[] DayOfWeek = [1.0, 1.5, 1.5, 1.0, 0.5, -2.5, -3.0];

    /// <summary>y_t = 100 + 0.005·t + 10·sin(2π(h − 6)/24) + 4·cos(4πh/24) + dow[(t div 24) mod 7] + N(0, 1.5²), h = t mod 24.</summary>
    public static double[] Generate(int length, int seed)
    {
        var random = new Random(seed);
        var y = new double[length];
        for (var t = 0; t < length; t++)
        {
            var hour = t % 24;
            var signal = 100 + (0.005 * t) + (10 * Math.Sin(2 * Math.PI * (hour - 6) / 24)) + (4 * Math.Cos(4 * Math.PI * hour / 24)) + DayOfWeek[t / 24 % 7];
            y[t] = signal + (1.5 * StandardNormal(random));
        }

        return y;
    }

    // Box–Muller: one standard normal draw from two uniforms.
    private static double StandardNormal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
