using MetricPipeline.Analysis.Detection;
using MetricPipeline.Data.Alerts;

namespace MetricPipeline.Detection;

/// <summary>
/// The detection pass's settings, bound from the <c>Detector</c> section (<c>Detector__Cron</c>, …); the deployment
/// look-back <c>CorrelationLag</c> is defined with the alert model, where Slack messages read it too.
/// </summary>
public sealed class DetectorOptions : DeploymentCorrelationOptions
{
    /// <summary>Whether this process schedules passes (the detector role can still run them on demand).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Quartz cron expression of the scheduled pass: every 5 minutes by default.</summary>
    public string Cron { get; set; } = "0 0/5 * * * ?";

    /// <summary>
    /// History read for an hourly node. MSTL needs more than two weekly cycles before a change to project the weekly
    /// pattern past it; four weeks leave three before a change in the last week.
    /// </summary>
    public TimeSpan HourlyWindow { get; set; } = TimeSpan.FromDays(28);

    /// <summary>History read for a daily node.</summary>
    public TimeSpan DailyWindow { get; set; } = TimeSpan.FromDays(730);

    /// <summary>History read for a weekly node.</summary>
    public TimeSpan WeeklyWindow { get; set; } = TimeSpan.FromDays(7 * 156);

    /// <summary>
    /// How long after a bucket closes a pass may read it: late events are still arriving, and a half-filled bucket would
    /// look like a dip. A pass as of 12:05 with the default reads hours up to 11:00–12:00.
    /// </summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A rollup watermark further behind the clock than this is logged as a warning at each pass: a worker is down or
    /// cannot keep up, and passes read only the buckets the rollup has finished (docs/DETECTION.md, "Rollup watermark").
    /// </summary>
    public TimeSpan RollupLagWarning { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// False alerts per series and year the live detector's threshold is set for (with independent errors; see
    /// docs/DETECTION.md). A metric's <c>alert.sensitivity</c> overrides it for that metric.
    /// </summary>
    public double FalseAlertsPerSeriesYear { get; set; } = LiveDetectorOptions.DefaultFalseAlertsPerYear;

    /// <summary>
    /// Chance that a steady series alerts in the watch after a tagged deployment in its scope (the level that moved at the
    /// deployment's bucket and holds, tested with a threshold of its own); each deployment spends this much per series.
    /// </summary>
    public double FalseAlertsPerDeployment { get; set; } = LiveDetectorOptions.DefaultFalseAlertsPerKnownOnset;

    /// <summary>Nodes read and analysed at the same time in a pass (default: one per processor).</summary>
    public int PassParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Segments analysed per node besides its total, largest first.</summary>
    public int MaxSegmentsPerNode { get; set; } = 5;

    /// <summary>
    /// Two shifts of one series (or of a parent and child) whose change times differ by at most this many buckets are
    /// the same shift: the change-point position moves by a bucket or two as data arrives.
    /// </summary>
    public int SameShiftWithinBuckets { get; set; } = 6;

    /// <summary>Confidence of effect intervals and expected ranges.</summary>
    public double Confidence { get; set; } = 0.95;

    /// <summary>Points at the end of the window whose mean is compared with the expected range to resolve an alert.</summary>
    public int RecoveryBuckets { get; set; } = 24;
}
