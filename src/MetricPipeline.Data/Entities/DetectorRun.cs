namespace MetricPipeline.Data.Entities;

/// <summary>
/// One detection pass: when it ran, as of which time, on which instance, and what it did. Scheduled passes carry the
/// trigger's scheduled fire time, so a fire that ran on two instances would show as two rows with the same time.
/// </summary>
public sealed class DetectorRun
{
    public long Id { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset AsOf { get; set; }

    /// <summary>scheduled or on_demand.</summary>
    public required string Trigger { get; set; }

    public DateTimeOffset? ScheduledFireAt { get; set; }
    public required string Instance { get; set; }
    public int Nodes { get; set; }
    public int AlertsOpened { get; set; }
    public int AlertsResolved { get; set; }

    /// <summary>The rollup's watermark when the pass began (null: no rollup worker has reported; see <c>RollupWatermarkStore</c>).</summary>
    public DateTimeOffset? RollupWatermark { get; set; }

    /// <summary>The pass read buckets that end at or before this time: <c>min(asOf, watermark) − Detector:SettleDelay</c>.</summary>
    public DateTimeOffset? ReadThrough { get; set; }
}
