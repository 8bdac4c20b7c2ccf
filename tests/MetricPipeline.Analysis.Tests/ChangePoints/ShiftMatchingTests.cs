using MetricPipeline.Analysis.Evaluation;

namespace MetricPipeline.Analysis.Tests.ChangePoints;

public class ShiftMatchingTests
{
    [Fact]
    public void Each_true_shift_takes_the_nearest_detection_within_tolerance()
    {
        // Truth 100 and 200; detections 95, 104, 300: 100↔104 (nearest), 200 unmatched; 95 and 300 false positives.
        var counts = ShiftMatching.Match([100, 200], [95, 104, 300], 6);
        Assert.Equal(new MatchCounts(1, 2, 1), counts);
        Assert.Equal(0.4, counts.F1, 1e-15);
    }
}
