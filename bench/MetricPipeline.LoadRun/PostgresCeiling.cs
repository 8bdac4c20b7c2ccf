using System.Diagnostics;
using MetricPipeline.Contracts;
using MetricPipeline.Data;
using MetricPipeline.Registry;
using MetricPipeline.Rollup;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MetricPipeline.LoadRun;

/// <summary>What the raw database did with the rollup's statements.</summary>
public sealed record PostgresResult(int Events, int Batches, long SeenRows, long BucketRows, long MembershipRows, double Seconds, double AggregateSeconds)
{
    public double EventsPerSecond => Events / Seconds;

    /// <summary>Rows written (ids and bucket rows; memberships are folded into sketches, not rows).</summary>
    public double RowsPerSecond => (SeenRows + BucketRows) / Seconds;
}

/// <summary>
/// The database's ceiling for the rollup's writes: the worker's own statements
/// (<see cref="RollupStore.ClaimNewEventsAsync"/> and <see cref="RollupStore.UpsertBucketsAsync"/>, which
/// folds the memberships into hll sketches; one transaction per batch) with the rows the
/// worker would write for the same events, on a freshly migrated and partitioned database, with as many
/// connections as the worker runs batches at once. Aggregation is done beforehand and timed apart,
/// so the figure is the database's alone; aggregation's CPU time is reported beside it.
/// </summary>
public static class PostgresCeiling
{
    public static async Task<PostgresResult> RunAsync(
        string connectionString, string registryYaml, List<TelemetryEvent> events, int eventsPerBatch, int concurrency)
    {
        var options = new DbContextOptionsBuilder<MetricPipelineDbContext>().UseNpgsql(connectionString).Options;
        await using (var db = new MetricPipelineDbContext(options))
        {
            await db.Database.MigrateAsync();
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var snapshot = new RegistrySnapshot(1, RegistryDocumentReader.ReadYaml(registryYaml).Metrics);
        var catalog = new SegmentCatalog(new RollupOptions().MaxSegmentValues);

        var batches = new List<(Guid[] Ids, DateTime[] OccurredAt, AggregatedBatch Rows)>();
        var aggregateCpu = TimeSpan.Zero;
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await PartitionMaintenance.RunAsync(connection, new RollupOptions(), DateTime.UtcNow, CancellationToken.None);
            foreach (var chunk in events.Chunk(eventsPerBatch))
            {
                var unresolved = BucketAggregator.UnresolvedValues(chunk, snapshot, catalog);
                if (unresolved.Count > 0)
                {
                    await catalog.PrepareAsync(connection, unresolved, CancellationToken.None);
                }

                var byId = chunk.DistinctBy(e => e.Id).OrderBy(e => e.Id).ToArray();
                var ids = byId.Select(e => e.Id).ToArray();
                var occurred = byId.Select(e => e.Timestamp.UtcDateTime).ToArray();
                // CPU time, not wall time: on a shared machine the wall clock also counts other people's work.
                var before = Process.GetCurrentProcess().TotalProcessorTime;
                var rows = BucketAggregator.Aggregate(chunk, snapshot, catalog);
                aggregateCpu += Process.GetCurrentProcess().TotalProcessorTime - before;
                batches.Add((ids, occurred, rows));
            }
        }

        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Count)
            {
                var (ids, occurred, rows) = batches[i];
                await using var connection = await dataSource.OpenConnectionAsync();
                await using var tx = await connection.BeginTransactionAsync();
                var fresh = await RollupStore.ClaimNewEventsAsync(connection, tx, ids, occurred, DateTime.UtcNow, CancellationToken.None);
                if (fresh.Count != ids.Length)
                {
                    throw new InvalidOperationException($"a fresh database claimed {fresh.Count} of {ids.Length} ids");
                }

                await RollupStore.UpsertBucketsAsync(connection, tx, rows.Deltas, rows.Users, CancellationToken.None);
                await tx.CommitAsync();
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;

        return new PostgresResult(
            events.Count,
            batches.Count,
            batches.Sum(b => (long)b.Ids.Length),
            batches.Sum(b => (long)b.Rows.Deltas.Count),
            batches.Sum(b => (long)b.Rows.Users.Count),
            seconds,
            aggregateCpu.TotalSeconds);
    }
}
