using MetricPipeline.Analysis.Detection;
using MetricPipeline.Analysis.Evaluation;

namespace MetricPipeline.Analysis.Tests.Detection;

/// <summary>The detector on seeded synthetic hourly product metrics (daily and weekly cycles, periods 24 and 168).</summary>
public class ProductSeriesDetectionTests
{
    private const int Tolerance = 6;
    private static readonly int[] Periods = [24, 168];

    [Fact]
    public void Level_shifts_are_found_within_six_hours_with_F1_of_at_least_0_9()
    {
        var counts = new MatchCounts(0, 0, 0);
        for (var seed = 1; seed <= 40; seed++)
        {
            var series = ProductSeriesGenerator.Generate(seed);
            var found = SeriesDetector.Detect(series.Y, Periods).ChangePoints.Select(c => c.Index).ToList();
            counts += ShiftMatching.Match(series.LevelShifts, found, Tolerance);
        }

        Assert.True(counts.F1 >= 0.9, $"F1 {counts.F1:F3} ({counts})");
    }

    [Fact]
    public void Spikes_are_anomalies_and_not_change_points()
    {
        int spikes = 0, asAnomaly = 0, asChangePoint = 0;
        for (var seed = 1; seed <= 40; seed++)
        {
            var series = ProductSeriesGenerator.Generate(seed);
            var detection = SeriesDetector.Detect(series.Y, Periods);
            foreach (var spike in series.Spikes)
            {
                spikes++;
                asAnomaly += detection.Anomalies.Any(a => a.Index == spike) ? 1 : 0;
                asChangePoint += detection.ChangePoints.Any(c => Math.Abs(c.Index - spike) <= Tolerance) ? 1 : 0;
            }
        }

        Assert.True(spikes > 40, $"the generator made only {spikes} spikes");
        Assert.Equal(0, asChangePoint);
        Assert.True(asAnomaly >= 0.95 * spikes, $"{asAnomaly} of {spikes} spikes reported as anomalies");
    }

    [Fact]
    public void Null_series_raise_at_most_one_false_change_point_per_30_days()
    {
        int falseChanges = 0, hours = 0;
        for (var seed = 1001; seed <= 1040; seed++)
        {
            var series = ProductSeriesGenerator.Generate(seed, withShifts: false);
            falseChanges += SeriesDetector.Detect(series.Y, Periods).ChangePoints.Count;
            hours += series.Y.Length;
        }

        Assert.True(falseChanges * 30.0 * 24 / hours <= 1.0, $"{falseChanges} false change points in {hours / 24} days");
    }

    [Fact]
    public void A_shift_reports_its_levels_relative_change_and_direction()
    {
        var y = new double[24 * 28];
        for (var t = 0; t < y.Length; t++)
        {
            y[t] = (t >= 400 ? 80 : 100) + (10 * Math.Sin(2 * Math.PI * t / 24)) + (0.5 * Math.Cos(t * 1.7));
        }

        var detection = SeriesDetector.Detect(y, [24], MetricDirection.Up);
        var shift = Assert.Single(detection.ChangePoints);
        Assert.InRange(shift.Index, 394, 406);
        Assert.Equal(-0.2, shift.RelativeChange!.Value, 0.02);
        Assert.Equal(100, shift.Before, 2.0);
        Assert.Equal(80, shift.After, 2.0);
        Assert.False(shift.IsGood);
        Assert.Empty(detection.Anomalies);
    }
}
