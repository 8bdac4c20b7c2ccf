using MetricPipeline.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MetricPipeline.Rollup;

/// <summary>
/// Keeps the time partitions of <c>seen_events</c> (one a day) and <c>buckets</c> (one a month): creates
/// them ahead of the clock, and drops whole partitions once they fall out of the de-duplication window
/// or the history retention — a dropped table instead of millions of deleted rows.
/// </summary>
public sealed partial class PartitionMaintenance(
    NpgsqlDataSource dataSource, IOptions<RollupOptions> options, TimeProvider clock, ILogger<PartitionMaintenance> logger) : BackgroundService
{
    /// <summary>One maintenance pass as of <paramref name="nowUtc"/>; returns the partitions dropped.</summary>
    public static async Task<List<string>> RunAsync(NpgsqlConnection connection, RollupOptions settings, DateTime nowUtc, CancellationToken ct)
    {
        var dedupeCutoff = nowUtc - settings.DedupeRetention;
        var ahead = nowUtc + settings.PartitionsAhead;
        var dropped = await TimePartitions.DropBeforeAsync(connection, PartitionedTable.SeenEvents, dedupeCutoff, ct);
        await TimePartitions.EnsureAsync(connection, PartitionedTable.SeenEvents, dedupeCutoff, ahead, ct);

        var oldestBucket = settings.HistoryRetention is { } keep ? nowUtc - keep : await OldestDefaultBucketAsync(connection, nowUtc, ct);
        if (settings.HistoryRetention is { } retention)
        {
            dropped.AddRange(await TimePartitions.DropBeforeAsync(connection, PartitionedTable.Buckets, nowUtc - retention, ct));
        }

        await TimePartitions.EnsureAsync(connection, PartitionedTable.Buckets, oldestBucket, ahead, ct);
        return dropped;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PartitionMaintenanceInterval, clock);
        do
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                var dropped = await RunAsync(connection, options.Value, clock.GetUtcNow().UtcDateTime, stoppingToken);
                if (dropped.Count > 0)
                {
                    LogDropped(dropped.Count, string.Join(", ", dropped));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Buckets kept for ever: months that have rows waiting in the default partition get their own partition too.</summary>
    private static async Task<DateTime> OldestDefaultBucketAsync(NpgsqlConnection connection, DateTime nowUtc, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT min(bucket_start) FROM {PartitionedTable.Buckets.DefaultPartition}", connection);
        return await cmd.ExecuteScalarAsync(ct) is DateTime oldest && oldest < nowUtc ? oldest : nowUtc;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped {Count} expired partitions: {Partitions}")]
    private partial void LogDropped(int count, string partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition maintenance failed; will retry at the next interval")]
    private partial void LogFailed(Exception ex);
}
