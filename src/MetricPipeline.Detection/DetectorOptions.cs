namespace MetricPipeline.Detection;

/// <summary>The detection pass's settings, bound from the <c>Detector</c> section (<c>Detector__Cron</c>, …).</summary>
public sealed class DetectorOptions
{
    /// <summary>Whether this process schedules passes (the detector role can still run them on demand).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Quartz cron expression of the scheduled pass: every 5 minutes by default.</summary>
    public string Cron { get; set; } = "0 0/5 * * * ?";

    /// <summary>How long before a change a deployment may start and still be named as its likely cause.</summary>
    public TimeSpan CorrelationLag { get; set; } = TimeSpan.FromHours(6);

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
    /// A change is new when it began at most this long (and at least 8 buckets) before the window's end; older shifts
    /// are history. Alerts already opened are never opened again, so a week only matters for data that arrives late
    /// or all at once (a backfill, the demo).
    /// </summary>
    public TimeSpan NewWithin { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Segments analysed per node besides its total, largest first.</summary>
    public int MaxSegmentsPerNode { get; set; } = 5;

    /// <summary>
    /// Two shifts of one series (or of a parent and child) whose change times differ by at most this many buckets are
    /// the same shift: the change-point position moves by a bucket or two as data arrives.
    /// </summary>
    public int SameShiftWithinBuckets { get; set; } = 6;

    /// <summary>
    /// Buckets a new level must hold before the detector reports it (its <c>MinPersistence</c>); null keeps the
    /// detector's default, the shortest seasonal period (24 hourly buckets). Lower alerts sooner and risks alerting
    /// on transients.
    /// </summary>
    public int? MinPersistence { get; set; }

    /// <summary>Confidence of effect intervals and expected ranges.</summary>
    public double Confidence { get; set; } = 0.95;

    /// <summary>Points at the end of the window whose mean is compared with the expected range to resolve an alert.</summary>
    public int RecoveryBuckets { get; set; } = 24;
}
