namespace MetricPipeline.Rollup;

public sealed class RollupOptions
{
    /// <summary>How long an accepted event id is remembered: a re-send within it is counted once.</summary>
    public TimeSpan DedupeRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Distinct values of one dimension of one metric kept as their own segments; the rest go to "other".</summary>
    public int MaxSegmentValues { get; set; } = 100;

    /// <summary>Messages (each carrying many events) per batch; one Postgres transaction per batch.</summary>
    public int BatchMessageLimit { get; set; } = 20;

    /// <summary>How long a partial batch waits for more messages.</summary>
    public TimeSpan BatchTimeLimit { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Distinct-user memberships a worker remembers as committed, to leave them out of later writes
    /// (about 150 bytes each); 0 turns the cache off.
    /// </summary>
    public int MembershipCacheSize { get; set; } = 500_000;

    /// <summary>Batches processed at once by one worker process.</summary>
    public int ConcurrentBatches { get; set; } = 2;
}
