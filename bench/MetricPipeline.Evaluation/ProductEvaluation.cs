using MetricPipeline.Analysis.Detection;
using MetricPipeline.Analysis.Evaluation;

namespace MetricPipeline.Evaluation;

/// <summary>Level shifts, spikes and null series from <see cref="ProductSeriesGenerator"/> through <see cref="SeriesDetector"/>.</summary>
internal static class ProductEvaluation
{
    public const int Tolerance = 6;

    public static void PrintReport(IReadOnlyList<int> periods, int seriesCount = 100)
    {
        var counts = new MatchCounts(0, 0, 0);
        int spikes = 0, spikesAsChangePoints = 0, spikesAsAnomalies = 0, echoes = 0;
        var sizesMissed = new List<double>();
        for (var seed = 1; seed <= seriesCount; seed++)
        {
            var series = ProductSeriesGenerator.Generate(seed);
            var detection = SeriesDetector.Detect(series.Y, periods);
            var found = detection.ChangePoints.Select(c => c.Index).ToList();
            var match = ShiftMatching.Match(series.LevelShifts, found, Tolerance);
            if (Environment.GetEnvironmentVariable("EVAL_DIAG") is not null && match.FalsePositives + match.FalseNegatives > 0)
            {
                Console.WriteLine($"  seed {seed}: true [{string.Join(',', series.LevelShifts.Select((s, i) => $"{s}({series.ShiftSizes[i]:+0.00;-0.00})"))}] found [{string.Join(',', detection.ChangePoints.Select(c => $"{c.Index}({c.RelativeChange:+0.000;-0.000},z={c.Score:F1})"))}]");
            }

            counts += match;
            for (var s = 0; s < series.LevelShifts.Length; s++)
            {
                if (!found.Any(f => Math.Abs(f - series.LevelShifts[s]) <= Tolerance))
                {
                    sizesMissed.Add(series.ShiftSizes[s]);
                }
            }

            foreach (var spike in series.Spikes)
            {
                spikes++;
                spikesAsChangePoints += found.Any(f => Math.Abs(f - spike) <= Tolerance) ? 1 : 0;
                spikesAsAnomalies += detection.Anomalies.Any(a => a.Index == spike) ? 1 : 0;

                // An echo: an anomaly one period (±1 point) before or after a spike, left by the seasonal fit.
                echoes += detection.Anomalies.Count(a => periods.Any(p => Math.Abs(Math.Abs(a.Index - spike) - p) <= 1));
            }
        }

        var nullChangePoints = 0;
        var nullHours = 0;
        for (var seed = 1001; seed < 1001 + seriesCount; seed++)
        {
            var series = ProductSeriesGenerator.Generate(seed, withShifts: false);
            nullChangePoints += SeriesDetector.Detect(series.Y, periods).ChangePoints.Count;
            nullHours += series.Y.Length;
        }

        Console.WriteLine($"Synthetic hourly product series (2,160 h, periods {string.Join(',', periods)}), {seriesCount} with 1–2 level shifts of 5–30 %, {seriesCount} null:");
        Console.WriteLine($"  level shifts within ±{Tolerance} h: TP {counts.TruePositives}, FP {counts.FalsePositives}, FN {counts.FalseNegatives}; precision {counts.Precision:F3}, recall {counts.Recall:F3}, F1 {counts.F1:F3}");
        Console.WriteLine($"  missed shift sizes: [{string.Join(", ", sizesMissed.Select(s => s.ToString("+0.000;-0.000", System.Globalization.CultureInfo.InvariantCulture)))}]");
        Console.WriteLine($"  spikes/dips: {spikes}; reported as anomalies {spikesAsAnomalies}; misreported as change points {spikesAsChangePoints}; echo anomalies one period away {echoes}");
        Console.WriteLine($"  null series: {nullChangePoints} false change points in {nullHours / 24.0:F0} days = {nullChangePoints * 30.0 * 24 / nullHours:F3} per 30 days");
    }
}
