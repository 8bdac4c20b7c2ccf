using MetricPipeline.Analysis.ChangePoints;
using MetricPipeline.Analysis.Evaluation;

namespace MetricPipeline.Analysis.Tests.ChangePoints;

/// <summary>The single default configuration on the 25 shipped TCPD headline series, scored as the TCPD paper does.</summary>
public class TcpdBenchmarkTests
{
    private static readonly Lazy<(double F1, double Cover)> DefaultScores = new(() =>
    {
        var corpus = TcpdData.Headline;
        double f1 = 0, cover = 0;
        foreach (var series in corpus)
        {
            var predicted = TcpdScoring.Clean(ChangePointDetector.Detect(series.Y), series.Y.Length);
            f1 += TcpdScoring.F1(series.Annotations, predicted);
            cover += TcpdScoring.Covering(series.Annotations, predicted, series.Y.Length);
        }

        return (f1 / corpus.Count, cover / corpus.Count);
    });

    [Fact]
    public void The_benchmark_has_the_25_shipped_headline_series()
    {
        Assert.Equal(25, TcpdData.Headline.Count);
        Assert.All(TcpdData.Headline, s => Assert.Equal(5, s.Annotations.Count));
    }

    [Fact]
    public void Default_mean_F1_beats_binary_segmentation_defaults()
    {
        // Published binseg default on these 25 series: F1 0.690; predicting nothing: 0.647.
        Assert.True(DefaultScores.Value.F1 > 0.690, $"mean F1 {DefaultScores.Value.F1:F4}");
    }

    [Fact]
    public void Default_mean_cover_beats_binary_segmentation_defaults()
    {
        // Published binseg default on these 25 series: cover 0.655; predicting nothing: 0.557.
        Assert.True(DefaultScores.Value.Cover > 0.655, $"mean cover {DefaultScores.Value.Cover:F4}");
    }
}
