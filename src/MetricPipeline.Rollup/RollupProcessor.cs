using System.Diagnostics.Metrics;
using MetricPipeline.Contracts;
using MetricPipeline.Data;
using Npgsql;

namespace MetricPipeline.Rollup;

/// <summary>
/// Counts one batch of accepted events exactly once: claims their ids, aggregates the new ones and
/// writes every bucket in a single transaction. If anything fails the transaction rolls back and
/// the broker redelivers the batch; ids already committed are then skipped.
/// </summary>
public sealed class RollupProcessor(
    NpgsqlDataSource dataSource, RegistryCache registry, SegmentCatalog catalog, TimeProvider clock)
{
    private static readonly Meter Meter = new("MetricPipeline.Rollup");
    private static readonly Counter<long> Counted = Meter.CreateCounter<long>("events_counted", "events");
    private static readonly Counter<long> Duplicates = Meter.CreateCounter<long>("events_duplicate", "events");
    private static readonly Counter<long> BucketRows = Meter.CreateCounter<long>("bucket_rows_written", "rows");

    public async Task<RollupResult> ProcessAsync(IReadOnlyList<TelemetryEvent> events, CancellationToken ct)
    {
        var unique = new Dictionary<Guid, TelemetryEvent>(events.Count);
        foreach (var e in events)
        {
            unique.TryAdd(e.Id, e);
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var snapshot = await registry.CurrentAsync(connection, ct);
        var unresolved = BucketAggregator.UnresolvedValues(unique.Values, snapshot, catalog);
        if (unresolved.Count > 0)
        {
            await catalog.PrepareAsync(connection, unresolved, ct);
        }

        var ids = unique.Keys.ToArray();
        Array.Sort(ids);
        var occurred = new DateTime[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            occurred[i] = unique[ids[i]].Timestamp.UtcDateTime;
        }

        await using var tx = await connection.BeginTransactionAsync(ct);
        var fresh = await RollupStore.ClaimNewEventsAsync(connection, tx, ids, occurred, clock.GetUtcNow().UtcDateTime, ct);
        var batch = BucketAggregator.Aggregate(unique.Values.Where(e => fresh.Contains(e.Id)), snapshot, catalog);
        await RollupStore.UpsertBucketsAsync(connection, tx, batch.Deltas, batch.Memberships, ct);
        await tx.CommitAsync(ct);

        var duplicates = events.Count - fresh.Count;
        Counted.Add(fresh.Count);
        Duplicates.Add(duplicates);
        BucketRows.Add(batch.Deltas.Count);
        return new RollupResult(fresh.Count, duplicates, batch.Deltas.Count, batch.Memberships.Count);
    }
}

public sealed record RollupResult(int Counted, int Duplicates, int BucketRows, int Memberships);
