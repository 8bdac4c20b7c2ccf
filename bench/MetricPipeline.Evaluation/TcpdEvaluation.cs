using MetricPipeline.Analysis.ChangePoints;
using MetricPipeline.Analysis.Evaluation;

namespace MetricPipeline.Evaluation;

/// <summary>Scores change-point configurations on the 25 shipped TCPD headline series, as the TCPD paper does.</summary>
internal static class TcpdEvaluation
{
    public static IReadOnlyList<TcpdSeries> Load()
    {
        var root = TestData.PathOf("tcpd");
        return TcpdCorpus.HeadlineSeries(
            File.ReadAllText(Path.Combine(root, "manifest.json")),
            File.ReadAllText(Path.Combine(root, "annotations.json")),
            relative => File.ReadAllText(Path.Combine(root, relative)));
    }

    public static (double F1, double Cover) Score(IReadOnlyList<TcpdSeries> corpus, ChangePointOptions options, bool verbose = false)
    {
        double f1 = 0, cover = 0;
        foreach (var series in corpus)
        {
            var predicted = TcpdScoring.Clean(ChangePointDetector.Detect(series.Y, options), series.Y.Length);
            var f = TcpdScoring.F1(series.Annotations, predicted);
            var c = TcpdScoring.Covering(series.Annotations, predicted, series.Y.Length);
            if (verbose)
            {
                Console.WriteLine($"  {series.Name,-20} n={series.Y.Length,4}  F1 {f:F3}  cover {c:F3}  predicted [{string.Join(',', predicted)}]");
            }

            f1 += f;
            cover += c;
        }

        return (f1 / corpus.Count, cover / corpus.Count);
    }

    public static void PrintReport(bool verbose)
    {
        var corpus = Load();
        Console.WriteLine($"TCPD: {corpus.Count} shipped univariate headline series, F1 (margin 5, 5 annotators) and segmentation covering");
        var (f1, cover) = Score(corpus, ChangePointDetector.Default, verbose);
        Console.WriteLine($"  metricpipe default ({Describe(ChangePointDetector.Default)}): mean F1 {f1:F3}, mean cover {cover:F3}");

        var root = TestData.PathOf("tcpd", "reference_scores");
        var names = corpus.Select(s => s.Name).ToList();
        foreach (var kind in new[] { "default", "oracle" })
        {
            var f1Scores = TcpdCorpus.ReferenceScores(File.ReadAllText(Path.Combine(root, $"{kind}_f1_scores.json")));
            var coverScores = TcpdCorpus.ReferenceScores(File.ReadAllText(Path.Combine(root, $"{kind}_cover_scores.json")));
            foreach (var method in new[] { "binseg", "pelt", "amoc", "bocpd", "segneigh", "prophet", "zero" })
            {
                var mf = names.Average(n => f1Scores[n].GetValueOrDefault(method));
                var mc = names.Average(n => coverScores[n].GetValueOrDefault(method));
                Console.WriteLine($"  published {kind,-7} {method,-9}: mean F1 {mf:F3}, mean cover {mc:F3}");
            }
        }
    }

    public static void Sweep()
    {
        var corpus = Load();
        foreach (var model in new[] { SegmentModel.Mean, SegmentModel.LinearTrend })
        {
            foreach (var minSeg in new[] { 2, 5 })
            {
                foreach (var clip in new[] { double.PositiveInfinity, 3.0 })
                foreach (var floor in new[] { 0.0, 0.05, 0.1, 0.2, 0.3, 0.5 })
                {
                    foreach (var k in new[] { 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0 })
                    {
                        var options = new ChangePointOptions { Model = model, MinSegmentLength = minSeg, ClipAt = clip, PenaltyPerLogN = k, ScaleFloor = floor };
                        var (f1, cover) = Score(corpus, options);
                        Console.WriteLine($"{Describe(options),-60} F1 {f1:F3} cover {cover:F3}");
                    }
                }
            }
        }
    }

    public static string Describe(ChangePointOptions o) =>
        $"{o.Method} {o.Model}, beta {o.PenaltyPerLogN}·log n, min segment {o.MinSegmentLength}, clip {o.ClipAt}, floor {o.ScaleFloor}";
}
