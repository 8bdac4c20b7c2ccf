using MetricPipeline.Analysis.Detection;

namespace MetricPipeline.Analysis.Tests.Detection;

/// <summary>
/// The segment scan's likelihood ratio under the window's shared errors: with the level's error alone it is the
/// two-sample comparison of a segment with the rest of the window; with a day's error too, a whole day that moved is
/// weaker evidence of a shift than the same move inside a day whose other hours did not.
/// </summary>
public sealed class SegmentScanTests
{
    private static double[] Errors(int n, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (random.NextDouble() * 4) - 2)];
    }

    [Fact]
    public void With_the_level_error_alone_a_segment_is_compared_with_the_rest_of_the_window()
    {
        const double v = 0.02;
        var errors = Errors(72, 1);
        var shared = SharedErrors.LevelOnly(v, errors.Length);
        var excluded = new bool[errors.Length];
        foreach (var (from, to) in new[] { (60, 71), (10, 25), (0, 1), (40, 40) })
        {
            var (effect, variance, shift) = SegmentScan.Effect(errors, clip: 3, shared, from, to, excluded);

            // b̂ = O/(1/v + M) from the M buckets outside, v' = 1/(1/v + M); the effect is the segment's mean less b̂.
            var length = to - from + 1;
            var outside = errors.Where((_, t) => t < from || t > to).ToArray();
            var precision = (1 / v) + outside.Length;
            var expectedShift = outside.Sum() / precision;
            Assert.Equal(expectedShift, shift, 9);
            Assert.Equal((errors.Skip(from).Take(length).Sum() / length) - expectedShift, effect, 9);
            Assert.Equal((1.0 / length) + (1 / precision), variance, 9);
        }
    }

    [Fact]
    public void A_day_error_makes_a_whole_day_weaker_evidence_than_part_of_a_day()
    {
        // Three days of 24 buckets; the middle day is 1.0 higher in all its hours, or in its last 12 only.
        var dayOf = Enumerable.Range(0, 72).Select(t => t / 24).ToArray();
        var withDays = new SharedErrors(Level: 0.01, Day: 0.05, dayOf);
        var levelOnly = new SharedErrors(Level: 0.01, Day: 0, dayOf);
        var excluded = new bool[72];

        var wholeDay = new double[72];
        Array.Fill(wholeDay, 1.0, 24, 24);
        var halfDay = new double[72];
        Array.Fill(halfDay, 1.0, 36, 12);

        var (wholeEffect, wholeVariance, _) = SegmentScan.Effect(wholeDay, 3, withDays, 24, 47, excluded);
        var (_, wholeVarianceLevelOnly, _) = SegmentScan.Effect(wholeDay, 3, levelOnly, 24, 47, excluded);
        var (halfEffect, halfVariance, _) = SegmentScan.Effect(halfDay, 3, withDays, 36, 47, excluded);

        // The whole day's move may be its own day error: its effect is less certain than with the level's error alone.
        Assert.True(wholeVariance > wholeVarianceLevelOnly + 0.03, $"{wholeVariance} vs {wholeVarianceLevelOnly}");
        // Half a day against the other half of the same day: the day error cancels, so 12 buckets tell about as much
        // as the whole day's 24 do.
        Assert.True(halfEffect / Math.Sqrt(halfVariance) > 0.9 * wholeEffect / Math.Sqrt(wholeVariance));

        // And the scan: the same whole-day move is found with the level error alone, not once the day may move.
        var strong = SegmentScan.Find(wholeDay, 3, levelOnly, threshold: 9.9);
        var weak = SegmentScan.Find(wholeDay, 3, withDays, threshold: 9.9);
        Assert.Contains(strong, s => s.Start == 24 && s.End == 47);
        Assert.DoesNotContain(weak, s => s.Start <= 30 && s.End >= 40);
    }

    [Fact]
    public void A_step_at_midnight_is_dated_to_midnight_when_days_may_move()
    {
        var dayOf = Enumerable.Range(0, 72).Select(t => t / 24).ToArray();
        var errors = Errors(72, 7);
        for (var t = 48; t < 72; t++)
        {
            errors[t] -= 4;
        }

        var found = SegmentScan.Find(errors, 3, new SharedErrors(0.01, 0.05, dayOf), threshold: 9.9);
        var drop = Assert.Single(found, s => s.End == 71);
        Assert.InRange(drop.Start, 47, 49);
    }

    [Fact]
    public void The_onset_interval_of_a_small_step_holds_its_true_onset_more_than_nine_times_in_ten()
    {
        // A step of 1.3 standard errors (a 5 % drop at 3–4 % noise a bucket) 30 buckets before the end of a 72-bucket
        // window, in 400 noisy windows: its maximum-likelihood onset is within a bucket only about two times in three, so
        // the interval a deployment is matched against has to carry the rest. Every onset within e³ of the best's
        // likelihood, up to 12 buckets away, covers it 377 times in 399 (an interval that stopped at the first onset
        // below that, within 6 buckets, 353).
        const int n = 72, onset = 42;
        var shared = SharedErrors.LevelOnly(1.0 / 168, n);
        var threshold = SegmentScan.Threshold(0.25, 8766);
        int found = 0, covered = 0, exact = 0;
        for (var seed = 0; seed < 400; seed++)
        {
            var random = new Random(seed);
            var errors = new double[n];
            for (var t = 0; t < n; t++)
            {
                errors[t] = MathNet.Numerics.Distributions.Normal.Sample(random, t >= onset ? -1.3 : 0, 1);
            }

            // The strongest segment found that overlaps the step (it may stop a bucket or two short of the end).
            var segment = SegmentScan.Find(errors, 3, shared, threshold).Where(s => s.End > onset && s.End - s.Start >= 6).Cast<SegmentScan.Segment?>().FirstOrDefault();
            if (segment is not { } s)
            {
                continue;
            }

            found++;
            covered += s.EarliestStart <= onset && onset <= s.LatestStart ? 1 : 0;
            exact += Math.Abs(s.Start - onset) <= 1 ? 1 : 0;
        }

        Assert.True(found >= 300, $"found {found} of 400");
        Assert.True(covered >= 0.92 * found, $"interval covered the onset {covered} of {found} times (within a bucket: {exact})");
    }
}
