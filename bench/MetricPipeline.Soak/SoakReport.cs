using System.Globalization;

namespace MetricPipeline.Soak;

/// <summary>Prints the samples as a table, one row as each is taken, and the first window against the last.</summary>
public static class SoakReport
{
    public const string Header =
        "    t | events/s | p50 ms | p99 ms | retry | fail | RSS MiB | GC heap MiB | after GC MiB | threads | db conns | queue msgs | error q | DB MiB | seen ids   | parked | passes | pass s | open alerts | server CPU % | load1";

    public static string Row(Sample s) => string.Create(CultureInfo.InvariantCulture,
        $"{s.At.TotalMinutes,5:0.0} | {s.EventsPerSecond,8:N0} | {s.P50Ms,6:0.0} | {s.P99Ms,6:0.0} | {s.Retries,5} | {s.Failures,4} | " +
        $"{s.RssMiB,7:0.0} | {s.GcHeapMiB,11:0.0} | {s.GcAfterLastMiB,12:0.0} | {s.Threads,7:0} | {s.DbConnections,8:0} | {s.QueueMessages,10} | {s.ErrorQueueMessages,7} | " +
        $"{s.DatabaseMiB,6:0} | {s.SeenIds,10} | {s.Parked,6} | {s.Passes,6} | {s.PassSeconds,6:0.00} | {s.OpenAlerts,11} | {s.ServerCpuPercent,12:0} | {s.Load1,5:0.00}");

    /// <summary>
    /// The means of the samples in the first and the last window, with each figure's change, and memory's lowest sample in
    /// each (the heap saw-tooths between full collections, so a window's mean depends on where in a tooth it falls; the
    /// floor is what a leak raises); memory's least-squares
    /// slope over the whole soak (MiB per hour). A figure is called flat when its last-window mean is within 10 % (plus a
    /// small absolute allowance for noise) of its first-window mean.
    /// </summary>
    public static void Summary(TextWriter output, IReadOnlyList<Sample> samples, TimeSpan duration, TimeSpan window)
    {
        var first = samples.Where(s => s.At <= window).ToList();
        var last = samples.Where(s => s.At >= duration - window).ToList();
        if (first.Count == 0 || last.Count == 0)
        {
            output.WriteLine("too few samples to compare the first and last windows");
            return;
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first {window.TotalMinutes:0} min ({first.Count} samples) against last {window.TotalMinutes:0} min ({last.Count} samples), means:"));
        Compare(output, "ingest rate, events/s", first, last, s => s.EventsPerSecond, 0, "N0");
        Compare(output, "ingest latency p50, ms", first, last, s => s.P50Ms, 5, "0.0");
        Compare(output, "ingest latency p99, ms", first, last, s => s.P99Ms, 20, "0.0");
        Compare(output, "server RSS, MiB", first, last, s => s.RssMiB, 20, "0.0");
        Compare(output, "GC heap (allocated, with garbage), MiB", first, last, s => s.GcHeapMiB, 5, "0.0");
        Compare(output, "GC heap after the last collection, MiB", first, last, s => s.GcAfterLastMiB, 5, "0.0");
        Compare(output, "server RSS, lowest sample, MiB", [first.MinBy(s => s.RssMiB)!], [last.MinBy(s => s.RssMiB)!], s => s.RssMiB, 20, "0.0");
        Compare(output, "GC heap after collection, lowest sample (the floor a leak would raise), MiB",
            [first.MinBy(s => s.GcAfterLastMiB)!], [last.MinBy(s => s.GcAfterLastMiB)!], s => s.GcAfterLastMiB, 5, "0.0");
        Compare(output, "server threads", first, last, s => s.Threads, 5, "0");
        Compare(output, "server's Npgsql connections", first, last, s => s.DbConnections, 2, "0.0");
        Compare(output, "RabbitMQ queue depth, messages", first, last, s => s.QueueMessages, 20, "0.0");
        Compare(output, "detector pass, s", [.. first.Where(s => s.Passes > 0)], [.. last.Where(s => s.Passes > 0)], s => s.PassSeconds, 1, "0.00");
        Compare(output, "server CPU, % of one core", first, last, s => s.ServerCpuPercent, 10, "0");
        Compare(output, "machine load average (1 min; the machine is shared)", first, last, s => s.Load1, 1, "0.0");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  memory slope over the soak (least squares): RSS {Slope(samples, s => s.RssMiB):+0.0;-0.0} MiB/h, " +
            $"GC heap after collection {Slope(samples, s => s.GcAfterLastMiB):+0.0;-0.0} MiB/h; second half alone: RSS " +
            $"{Slope(samples.Where(s => s.At >= duration / 2).ToList(), s => s.RssMiB):+0.0;-0.0} MiB/h"));
        var growth = (last[^1].DatabaseMiB - first[0].DatabaseMiB) * 1048576.0 / Math.Max(1, samples.Skip(1).Sum(s => s.Events));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  database: {first[0].DatabaseMiB:0} → {last[^1].DatabaseMiB:0} MiB ({growth:0} bytes per event accepted), de-duplication ids {first[0].SeenIds:N0} → {last[^1].SeenIds:N0}; " +
            $"parked events {last[^1].Parked}, dead-lettered messages {last[^1].ErrorQueueMessages}, detector passes {samples.Sum(s => s.Passes)}"));
    }

    private static void Compare(TextWriter output, string name, List<Sample> first, List<Sample> last, Func<Sample, double> figure, double allowance, string format)
    {
        var a = Mean(first, figure);
        var b = Mean(last, figure);
        if (double.IsNaN(a) || double.IsNaN(b))
        {
            output.WriteLine($"  {name}: not measured");
            return;
        }

        var change = a == 0 ? 0 : 100 * (b - a) / a;
        var verdict = b <= (a * 1.10) + allowance ? (b >= (a * 0.90) - allowance ? "flat" : "lower") : "GROWS";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name}: {a.ToString(format, CultureInfo.InvariantCulture)} → {b.ToString(format, CultureInfo.InvariantCulture)} ({change:+0.0;-0.0} %) {verdict}"));
    }

    private static double Mean(List<Sample> samples, Func<Sample, double> figure)
    {
        var values = samples.Select(figure).Where(v => !double.IsNaN(v)).ToList();
        return values.Count == 0 ? double.NaN : values.Average();
    }

    /// <summary>Least-squares slope of a figure against time, per hour.</summary>
    private static double Slope(IReadOnlyList<Sample> samples, Func<Sample, double> figure)
    {
        var points = samples.Select(s => (X: s.At.TotalHours, Y: figure(s))).Where(p => !double.IsNaN(p.Y)).ToList();
        if (points.Count < 2)
        {
            return double.NaN;
        }

        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        var sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        return sxx == 0 ? double.NaN : points.Sum(p => (p.X - mx) * (p.Y - my)) / sxx;
    }
}
