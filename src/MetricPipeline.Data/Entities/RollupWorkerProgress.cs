namespace MetricPipeline.Data.Entities;

/// <summary>
/// How far one rollup worker process has caught up (<c>rollup_watermarks</c>, one row a process): every event ingest
/// accepted before <see cref="CaughtUpTo"/> that reached this worker is in the buckets. The worker rewrites its row
/// every <c>Rollup:WatermarkInterval</c> (<see cref="ReportedAt"/>) and marks it <see cref="Stopped"/> when it shuts
/// down cleanly. <see cref="RollupWatermarkStore"/> turns the rows into the rollup's watermark.
/// </summary>
public sealed class RollupWorkerProgress
{
    /// <summary>The worker process, machine-pid.</summary>
    public required string Instance { get; set; }

    public DateTimeOffset CaughtUpTo { get; set; }
    public DateTimeOffset ReportedAt { get; set; }
    public bool Stopped { get; set; }
}
