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
/// <remarks>
/// Most batches claim their ids with a plain insert: re-sends this worker has committed itself are left out first
/// (<see cref="RecentClaims"/>), and only when the insert meets an id seen elsewhere (another worker, an older
/// re-send) does the batch fall back to the insert that sorts new ids from seen ones.
/// </remarks>
public sealed class RollupProcessor(
    NpgsqlDataSource dataSource, RegistryCache registry, SegmentCatalog catalog, RecentClaims recent, TimeProvider clock)
{
    private static readonly Meter Meter = new("MetricPipeline.Rollup");
    private static readonly Counter<long> Counted = Meter.CreateCounter<long>("events_counted", "events");
    private static readonly Counter<long> Duplicates = Meter.CreateCounter<long>("events_duplicate", "events");
    private static readonly Counter<long> BucketRows = Meter.CreateCounter<long>("bucket_rows_written", "rows");
    private static readonly Counter<long> SortedClaims = Meter.CreateCounter<long>(
        "claims_sorted", "batches", "Batches whose plain id insert met an id seen before and were claimed by the sorting insert");

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

        // Ids this worker committed lately are re-sends: certainly seen, so they are left out before writing.
        var candidates = new List<TelemetryEvent>(unique.Count);
        foreach (var e in unique.Values)
        {
            if (!recent.Contains(e.Id, e.Timestamp.UtcDateTime))
            {
                candidates.Add(e);
            }
        }

        candidates.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        var ids = new Guid[candidates.Count];
        var occurred = new DateTime[candidates.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            (ids[i], occurred[i]) = (candidates[i].Id, candidates[i].Timestamp.UtcDateTime);
        }

        await using var tx = await connection.BeginTransactionAsync(ct);
        var seenAt = clock.GetUtcNow().UtcDateTime;
        var counted = candidates;
        if (ids.Length > 0 && !await RollupStore.TryClaimAllAsync(connection, tx, ids, occurred, seenAt, ct))
        {
            SortedClaims.Add(1);
            var fresh = await RollupStore.ClaimNewEventsAsync(connection, tx, ids, occurred, seenAt, ct);
            counted = candidates.FindAll(e => fresh.Contains(e.Id));
        }

        var batch = BucketAggregator.Aggregate(counted, snapshot, catalog);
        await RollupStore.UpsertBucketsAsync(connection, tx, batch.Deltas, batch.Users, ct);
        await tx.CommitAsync(ct);
        recent.AddCommitted(ids, occurred, ids.Length);

        var duplicates = events.Count - counted.Count;
        Counted.Add(counted.Count);
        Duplicates.Add(duplicates);
        BucketRows.Add(batch.Deltas.Count);
        return new RollupResult(counted.Count, duplicates, batch.Deltas.Count, batch.Users.Count);
    }
}

public sealed record RollupResult(int Counted, int Duplicates, int BucketRows, int Memberships);
