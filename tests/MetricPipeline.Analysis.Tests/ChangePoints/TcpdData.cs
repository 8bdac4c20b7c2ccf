using MetricPipeline.Analysis.Evaluation;

namespace MetricPipeline.Analysis.Tests.ChangePoints;

/// <summary>The shipped TCPD headline series and published scores, read once per test run.</summary>
public static class TcpdData
{
    private static readonly Lazy<IReadOnlyList<TcpdSeries>> Series = new(() =>
    {
        var root = TestData.PathOf("tcpd");
        return TcpdCorpus.HeadlineSeries(
            File.ReadAllText(Path.Combine(root, "manifest.json")),
            File.ReadAllText(Path.Combine(root, "annotations.json")),
            relative => File.ReadAllText(Path.Combine(root, relative)));
    });

    public static IReadOnlyList<TcpdSeries> Headline => Series.Value;

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Reference(string file) =>
        TcpdCorpus.ReferenceScores(File.ReadAllText(TestData.PathOf("tcpd", "reference_scores", file)));
}
