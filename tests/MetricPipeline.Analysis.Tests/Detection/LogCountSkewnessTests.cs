using MathNet.Numerics.Distributions;
using MetricPipeline.Analysis.Detection;

namespace MetricPipeline.Analysis.Tests.Detection;

/// <summary>
/// The log of a count leans left: standardised, a low bucket is far more often beyond a threshold than a high one.
/// The live detector turns each error into its normal score before the scan; these tests check that the score's two
/// tails are then as a normal's, on counts drawn as the pipeline sees them (Poisson with 3 % extra noise).
/// </summary>
public sealed class LogCountSkewnessTests
{
    private const double Extra = 0.0009; // 3 % extra noise

    [Theory]
    [InlineData(300)]
    [InlineData(1000)]
    public void Normal_scores_of_log_counts_have_the_tails_of_a_normal_where_the_log_errors_do_not(double mean)
    {
        var random = new Random(7);
        const int N = 400_000;
        var logs = new double[N];
        for (var i = 0; i < N; i++)
        {
            var rate = mean * Math.Max(0, 1 + (0.03 * Normal.Sample(random, 0, 1)));
            logs[i] = Math.Log(Poisson.Sample(random, rate) + 0.5);
        }

        var centre = logs.Average();
        var sd = Math.Sqrt(logs.Average(v => (v - centre) * (v - centre)));
        var poisson = mean / ((mean + 0.5) * (mean + 0.5));
        var skewness = LiveDetector.LogCountSkewness(poisson, Extra);
        Assert.InRange(skewness, mean < 500 ? -0.16 : -0.10, mean < 500 ? -0.09 : -0.03);

        const double Limit = 3.3; // a normal's tail beyond it: 4.8e-4, about 193 of 400,000 each side
        int Beyond(Func<double, double> score, int sign) => logs.Count(v => sign * score((v - centre) / sd) > Limit);
        var (rawLow, rawHigh) = (Beyond(e => e, -1), Beyond(e => e, 1));
        var (low, high) = (Beyond(e => LiveDetector.NormalScore(e, skewness), -1), Beyond(e => LiveDetector.NormalScore(e, skewness), 1));

        var expected = N * Normal.CDF(0, 1, -Limit);
        Assert.True(rawLow > 1.6 * rawHigh, $"log errors: {rawLow} low, {rawHigh} high beyond {Limit}");
        Assert.InRange(low, 0.75 * expected, 1.3 * expected);
        Assert.InRange(high, 0.75 * expected, 1.3 * expected);
    }

    [Fact]
    public void The_normal_score_is_monotone_and_leaves_a_deep_outage_deep()
    {
        var skewness = LiveDetector.LogCountSkewness(1 / 200.0, Extra);
        var previous = double.NegativeInfinity;
        for (var e = -80.0; e <= 80; e += 0.25)
        {
            var z = LiveDetector.NormalScore(e, skewness);
            Assert.True(z > previous, $"not increasing at {e}");
            previous = z;
        }

        Assert.True(LiveDetector.NormalScore(-60, skewness) < -59);
        Assert.Equal(0, LiveDetector.LogCountSkewness(0, 0));
    }
}
