using MetricPipeline.Analysis.Evaluation;

namespace MetricPipeline.Analysis.Tests.ChangePoints;

public class TcpdScoringTests
{
    [Fact]
    public void F1_of_a_hand_worked_example()
    {
        // Annotators {0,10,20} and {0,10}; predictions {0,12,40}.
        // Union {0,10,20}: 0↔0, 10↔12 match, 20 has no prediction within 5 → P = 2/3.
        // Recall: annotator 1 2/3, annotator 2 2/2 → R = 5/6. F1 = 2·(2/3)(5/6)/(2/3+5/6) = 20/27.
        IReadOnlyList<IReadOnlyList<int>> annotations = [[10, 20], [10]];
        Assert.Equal(20.0 / 27.0, TcpdScoring.F1(annotations, [12, 40]), 1e-15);
    }

    [Fact]
    public void A_prediction_matches_only_one_true_point()
    {
        // Truth {0,10,12}, single prediction 11 (plus 0): matches 10 only. P = 2/2, R = 2/3 → F1 = 0.8.
        IReadOnlyList<IReadOnlyList<int>> annotations = [[10, 12]];
        Assert.Equal(0.8, TcpdScoring.F1(annotations, [11]), 1e-15);
    }

    [Fact]
    public void Covering_of_a_hand_worked_example()
    {
        // n = 10, truth segments [0,5) [5,10); prediction [0,4) [4,10).
        // [0,5): best IoU 4/5; [5,10): 5/6. Cover = (5·0.8 + 5·5/6)/10 = 0.816666…
        IReadOnlyList<IReadOnlyList<int>> annotations = [[5]];
        Assert.Equal((4.0 + (25.0 / 6.0)) / 10.0, TcpdScoring.Covering(annotations, [4], 10), 1e-15);
    }

    [Fact]
    public void Predicting_nothing_reproduces_the_published_zero_scores_on_every_series()
    {
        var corpus = TcpdData.Headline;
        var f1 = TcpdData.Reference("default_f1_scores.json");
        var cover = TcpdData.Reference("default_cover_scores.json");
        foreach (var series in corpus)
        {
            Assert.Equal(f1[series.Name]["zero"], TcpdScoring.F1(series.Annotations, []), 1e-12);
            Assert.Equal(cover[series.Name]["zero"], TcpdScoring.Covering(series.Annotations, [], series.Y.Length), 1e-12);
        }
    }

    [Theory]
    [InlineData("construction", new[] { 86, 135, 190, 267, 318 }, 0.7090909, 0.4662170)]
    [InlineData("well_log", new[] { 178, 280, 431, 657, 660, 674 }, 0.5545670, 0.6785921)]
    public void Scores_match_the_datasets_self_checks(string name, int[] prediction, double expectedF1, double expectedCover)
    {
        var series = TcpdData.Headline.Single(s => s.Name == name);
        var cleaned = TcpdScoring.Clean(prediction, series.Y.Length);
        Assert.Equal(expectedF1, TcpdScoring.F1(series.Annotations, cleaned), 5e-8);
        Assert.Equal(expectedCover, TcpdScoring.Covering(series.Annotations, cleaned, series.Y.Length), 5e-8);
    }
}
