using System.Globalization;
using System.Text.Json;
using MetricPipeline.Analysis.Detection;

namespace MetricPipeline.Evaluation;

/// <summary>
/// NAB realKnownCause series through <see cref="SeriesDetector"/>, whole series offline: which labelled windows are
/// caught and how many change points and anomaly events fall outside every window, for the default detector and for
/// the earlier white-noise configuration (no long-run scale, no persistence, no spike clipping, one anomaly per point).
/// </summary>
internal static class NabEvaluation
{
    /// <summary>Periods per series: the taxi counts have daily and weekly cycles; the others are given a daily cycle where one is plausible.</summary>
    private static readonly (string File, int[] Periods)[] Series =
    [
        ("nyc_taxi.csv", [48, 336]),
        ("ambient_temperature_system_failure.csv", [24]),
        ("cpu_utilization_asg_misconfiguration.csv", [288]),
        ("ec2_request_latency_system_failure.csv", [288]),
        ("machine_temperature_system_failure.csv", [288]),
        ("rogue_agent_key_hold.csv", []),
        ("rogue_agent_key_updown.csv", []),
    ];

    /// <summary>The detector before the autocorrelation-aware changes, for before/after comparison.</summary>
    private static readonly SeriesDetectorOptions WhiteNoise = new()
    {
        LongRunScale = false,
        MinPersistence = 1,
        SpikeClip = double.PositiveInfinity,
        MergeAnomalyEvents = false,
        AnomalyEventGap = 0,
    };

    public static void PrintReport(bool onlyTaxi)
    {
        using var labels = JsonDocument.Parse(File.ReadAllText(TestData.PathOf("nab", "labels", "combined_windows.json")));
        foreach (var (file, periods) in onlyTaxi ? Series[..1] : Series)
        {
            var lines = File.ReadAllLines(TestData.PathOf("nab", "realKnownCause", file)).Skip(1).ToArray();
            var times = lines.Select(l => DateTime.Parse(l[..l.IndexOf(',')], CultureInfo.InvariantCulture)).ToArray();
            var y = lines.Select(l => double.Parse(l[(l.IndexOf(',') + 1)..], CultureInfo.InvariantCulture)).ToArray();
            var windows = labels.RootElement.GetProperty("realKnownCause/" + file).EnumerateArray()
                .Select(w => (Start: DateTime.Parse(w[0].GetString()!, CultureInfo.InvariantCulture), End: DateTime.Parse(w[1].GetString()!, CultureInfo.InvariantCulture)))
                .ToArray();
            Console.WriteLine($"NAB {file} ({y.Length} points, periods {(periods.Length > 0 ? string.Join(",", periods) : "none")}, {windows.Length} windows):");
            Print("white-noise (before)", SeriesDetector.Detect(y, periods, options: WhiteNoise), times, windows);
            Print("default", SeriesDetector.Detect(y, periods), times, windows);
        }
    }

    private static void Print(string label, SeriesDetection detection, DateTime[] times, (DateTime Start, DateTime End)[] windows)
    {
        bool Overlaps(int first, int last, (DateTime Start, DateTime End) w) => times[last] >= w.Start && times[first] <= w.End;
        var caught = windows.Count(w => detection.ChangePoints.Any(c => Overlaps(c.Index, c.Index, w)) || detection.Anomalies.Any(a => Overlaps(a.FirstIndex, a.LastIndex, w)));
        var outsideChanges = detection.ChangePoints.Count(c => !windows.Any(w => Overlaps(c.Index, c.Index, w)));
        var outsideAnomalies = detection.Anomalies.Where(a => !windows.Any(w => Overlaps(a.FirstIndex, a.LastIndex, w))).ToList();
        var outsidePoints = outsideAnomalies.Sum(a => a.LastIndex - a.FirstIndex + 1);
        Console.WriteLine($"  {label,-21}: windows caught {caught}/{windows.Length}; {detection.ChangePoints.Count} change points, {detection.Anomalies.Count} anomaly events; " +
            $"outside windows: {outsideChanges} change points, {outsideAnomalies.Count} anomaly events ({outsidePoints} points)");
    }
}
