using MetricPipeline.Analysis.Statistics;

namespace MetricPipeline.Analysis.Tests.Statistics;

public class RobustStatisticsTests
{
    [Fact]
    public void Median_by_selection_equals_the_middle_of_the_sorted_sample()
    {
        var rng = new Random(17);
        for (var round = 0; round < 5000; round++)
        {
            var n = rng.Next(1, 80);
            // Every third sample draws from three values only, so ties and runs of equal values are exercised.
            var range = round % 3 == 0 ? 3 : 1000;
            var sample = Enumerable.Range(0, n).Select(_ => (double)rng.Next(range)).ToArray();
            var sorted = sample.Order().ToArray();
            var expected = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[(n / 2) - 1] + sorted[n / 2]);
            Assert.Equal(expected, RobustStatistics.Median(sample));
        }
    }

    [Fact]
    public void Median_of_an_empty_sample_is_NaN()
    {
        Assert.True(double.IsNaN(RobustStatistics.Median([])));
    }
}
