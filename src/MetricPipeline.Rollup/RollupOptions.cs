namespace MetricPipeline.Rollup;

public sealed class RollupOptions
{
    /// <summary>
    /// The de-duplication window, by event time: the ids of events whose timestamp lies within it are
    /// remembered, so a re-send is counted once. <c>seen_events</c> keeps one partition per day of it.
    /// </summary>
    public TimeSpan DedupeRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long hour buckets are kept; older monthly partitions of <c>buckets</c> are dropped. Null: for ever.</summary>
    public TimeSpan? HistoryRetention { get; set; }

    /// <summary>How far ahead partitions are created, and how often partitions are created and dropped.</summary>
    public TimeSpan PartitionsAhead { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan PartitionMaintenanceInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Distinct values of one dimension of one metric kept as their own segments; the rest go to "other".</summary>
    public int MaxSegmentValues { get; set; } = 100;

    /// <summary>Messages (each carrying many events) per batch; one Postgres transaction per batch.</summary>
    public int BatchMessageLimit { get; set; } = 20;

    /// <summary>How long a partial batch waits for more messages.</summary>
    public TimeSpan BatchTimeLimit { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Batches processed at once by one worker process. Each batch alternates between CPU (aggregation) and
    /// waiting on PostgreSQL (statements, the commit's fsync); with 2 a quiet 2-core machine stayed a third idle
    /// and the worker drained at ~50k events/s, with 4 it keeps up with ingest (docs/PERFORMANCE.md).
    /// </summary>
    public int ConcurrentBatches { get; set; } = 4;

    /// <summary>
    /// Ids this worker remembers having committed, per generation (two are kept, about 40 bytes an id): a re-send
    /// among them is dropped before the write, so its batch takes the cheaper plain insert.
    /// </summary>
    public int RecentClaimsPerGeneration { get; set; } = 100_000;

    /// <summary>How often this worker writes how far it has caught up (<c>rollup_watermarks</c>); well under 30 s.</summary>
    public TimeSpan WatermarkInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// With no batch in flight and none finished for this long while connected, the queue is taken as drained and the
    /// watermark as this long before now. Longer than ingest's publish timeout (3 s) and the batch time limit.
    /// </summary>
    public TimeSpan WatermarkQuietPeriod { get; set; } = TimeSpan.FromSeconds(5);
}
