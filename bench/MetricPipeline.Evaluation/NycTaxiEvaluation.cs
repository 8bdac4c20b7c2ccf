using System.Globalization;
using System.Text.Json;
using MetricPipeline.Analysis.Detection;

namespace MetricPipeline.Evaluation;

/// <summary>NAB nyc_taxi (30-minute taxi passenger counts, periods 48 and 336) through <see cref="SeriesDetector"/>, offline.</summary>
internal static class NycTaxiEvaluation
{
    public static void PrintReport()
    {
        var lines = File.ReadAllLines(SharedData.PathOf("data", "nab", "realKnownCause", "nyc_taxi.csv")).Skip(1).ToArray();
        var times = lines.Select(l => DateTime.Parse(l[..l.IndexOf(',')], CultureInfo.InvariantCulture)).ToArray();
        var y = lines.Select(l => double.Parse(l[(l.IndexOf(',') + 1)..], CultureInfo.InvariantCulture)).ToArray();
        using var labels = JsonDocument.Parse(File.ReadAllText(SharedData.PathOf("data", "nab", "labels", "combined_windows.json")));
        var windows = labels.RootElement.GetProperty("realKnownCause/nyc_taxi.csv").EnumerateArray()
            .Select(w => (Start: DateTime.Parse(w[0].GetString()!, CultureInfo.InvariantCulture), End: DateTime.Parse(w[1].GetString()!, CultureInfo.InvariantCulture)))
            .ToArray();

        var detection = SeriesDetector.Detect(y, [48, 336]);
        var events = detection.ChangePoints.Select(c => (c.Index, Kind: "change")).Concat(detection.Anomalies.Select(a => (a.Index, Kind: "anomaly"))).ToList();
        bool Inside(int i, (DateTime Start, DateTime End) w) => times[i] >= w.Start && times[i] <= w.End;

        Console.WriteLine($"NAB nyc_taxi ({y.Length} points, periods 48,336, whole series offline): {detection.ChangePoints.Count} change points, {detection.Anomalies.Count} anomalies");
        foreach (var w in windows)
        {
            var hits = events.Where(e => Inside(e.Index, w)).ToList();
            Console.WriteLine($"  window {w.Start:yyyy-MM-dd HH:mm} … {w.End:yyyy-MM-dd HH:mm}: {(hits.Count > 0 ? "caught" : "missed")} ({hits.Count(h => h.Kind == "change")} change, {hits.Count(h => h.Kind == "anomaly")} anomaly points)");
        }

        var outside = events.Where(e => !windows.Any(w => Inside(e.Index, w))).ToList();
        Console.WriteLine($"  false positives (outside every window): {outside.Count(e => e.Kind == "change")} change points, {outside.Count(e => e.Kind == "anomaly")} anomaly points; " +
            $"{outside.Select(e => times[e.Index].Date).Distinct().Count()} distinct days");
    }
}
