using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MetricPipeline.Detection;

/// <summary>
/// A detection pass as OpenTelemetry sees it: one <c>detection pass</c> span (trigger, nodes, alerts opened and
/// resolved) around the pass's own database spans, and the pass duration and alert counts as metrics.
/// </summary>
public static class PassTelemetry
{
    public const string Name = "MetricPipeline.Detection";

    private static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("detection_pass_duration", "s", "Duration of a detection pass");
    private static readonly Counter<long> Opened = Meter.CreateCounter<long>("alerts_opened", "alerts");
    private static readonly Counter<long> Resolved = Meter.CreateCounter<long>("alerts_resolved", "alerts");
    private static double rollupLagSeconds;

    static PassTelemetry() => Meter.CreateObservableGauge(
        "rollup_watermark_lag", () => Volatile.Read(ref rollupLagSeconds), "s", "How far the rollup's watermark was behind the clock at the last pass");

    /// <summary>The rollup watermark's lag a pass saw (exported as <c>rollup_watermark_lag</c>).</summary>
    public static void RecordRollupLag(TimeSpan lag) => Volatile.Write(ref rollupLagSeconds, lag.TotalSeconds);

    public static async Task<DetectionPassResult> TraceAsync(string trigger, Func<Task<DetectionPassResult>> run)
    {
        using var activity = Source.StartActivity("detection pass");
        activity?.SetTag("detection.trigger", trigger);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await run();
            activity?.SetTag("detection.nodes", result.Nodes);
            activity?.SetTag("detection.alerts_opened", result.Opened.Count);
            activity?.SetTag("detection.alerts_resolved", result.Resolved);
            Opened.Add(result.Opened.Count, new KeyValuePair<string, object?>("trigger", trigger));
            Resolved.Add(result.Resolved, new KeyValuePair<string, object?>("trigger", trigger));
            return result;
        }
        catch (Exception e)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
        finally
        {
            Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("trigger", trigger));
        }
    }
}
