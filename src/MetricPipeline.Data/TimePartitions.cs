using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace MetricPipeline.Data;

/// <summary>How wide one partition of a time-partitioned table is.</summary>
public enum PartitionWidth
{
    Day,
    Month,
}

/// <summary>
/// A table partitioned by range of a timestamp column, with a default partition that catches rows no
/// partition covers yet (and rows too old to get one).
/// </summary>
public sealed record PartitionedTable(string Name, string Column, PartitionWidth Width, string DefaultPurgeColumn)
{
    /// <summary>Hour buckets, one partition per calendar month (UTC) of <c>bucket_start</c>.</summary>
    public static readonly PartitionedTable Buckets = new("buckets", "bucket_start", PartitionWidth.Month, "bucket_start");

    /// <summary>Counted event ids, one partition per day (UTC) of the event's own time.</summary>
    public static readonly PartitionedTable SeenEvents = new("seen_events", "occurred_at", PartitionWidth.Day, "seen_at");

    public string DefaultPartition => Name + "_default";

    public DateTime PeriodStart(DateTime utc) => Width == PartitionWidth.Day
        ? new DateTime(utc.Year, utc.Month, utc.Day, 0, 0, 0, DateTimeKind.Utc)
        : new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc);

    public DateTime Next(DateTime periodStart) => Width == PartitionWidth.Day ? periodStart.AddDays(1) : periodStart.AddMonths(1);

    public string PartitionName(DateTime periodStart) => $"{Name}_p{periodStart.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";
}

/// <summary>One partition: its name and the range [From, To) of the partition column it holds.</summary>
public readonly record struct TimePartition(string Name, DateTime From, DateTime To);

/// <summary>
/// Creates partitions ahead of time and drops those past a retention. A new partition takes over the
/// rows of its period that waited in the default partition, in the same transaction, so no row is
/// ever lost or counted twice. Workers serialise this work through an advisory lock.
/// </summary>
public static class TimePartitions
{
    private const long MaintenanceLock = 0x4d50_5061_7274; // "MPPart"

    /// <summary>The table's partitions (not the default one), oldest first.</summary>
    public static async Task<List<TimePartition>> ListAsync(NpgsqlConnection connection, PartitionedTable table, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = @parent::regclass AND c.relname LIKE @prefix
            """, connection);
        cmd.Parameters.AddWithValue("parent", table.Name);
        cmd.Parameters.AddWithValue("prefix", table.Name + "\\_p%");
        var partitions = new List<TimePartition>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var name = reader.GetString(0);
            if (DateTime.TryParseExact(name[(table.Name.Length + 2)..], "yyyyMMdd", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var from))
            {
                partitions.Add(new TimePartition(name, from, table.Next(from)));
            }
        }

        partitions.Sort((a, b) => a.From.CompareTo(b.From));
        return partitions;
    }

    /// <summary>Creates every missing partition for the periods that overlap [fromUtc, toUtc); returns how many were created.</summary>
    public static async Task<int> EnsureAsync(NpgsqlConnection connection, PartitionedTable table, DateTime fromUtc, DateTime toUtc, CancellationToken ct)
    {
        var existing = (await ListAsync(connection, table, ct)).Select(p => p.From).ToHashSet();
        var created = 0;
        for (var period = table.PeriodStart(fromUtc); period < toUtc; period = table.Next(period))
        {
            if (!existing.Contains(period) && await CreateAsync(connection, table, period, ct))
            {
                created++;
            }
        }

        return created;
    }

    /// <summary>
    /// Drops the partitions that end at or before <paramref name="cutoffUtc"/>, and deletes default-partition
    /// rows whose purge column is older than it; returns the partitions dropped.
    /// </summary>
    public static async Task<List<string>> DropBeforeAsync(NpgsqlConnection connection, PartitionedTable table, DateTime cutoffUtc, CancellationToken ct)
    {
        var dropped = new List<string>();
        foreach (var partition in await ListAsync(connection, table, ct))
        {
            if (partition.To > cutoffUtc)
            {
                break;
            }

            await using var tx = await connection.BeginTransactionAsync(ct);
            await LockAsync(connection, tx, ct);
            await ExecuteAsync(connection, tx, $"DROP TABLE IF EXISTS {partition.Name}", ct);
            await tx.CommitAsync(ct);
            dropped.Add(partition.Name);
        }

        await using var purge = new NpgsqlCommand($"DELETE FROM {table.DefaultPartition} WHERE {table.DefaultPurgeColumn} < @cutoff", connection);
        purge.Parameters.Add(new NpgsqlParameter<DateTime>("cutoff", NpgsqlDbType.TimestampTz) { TypedValue = cutoffUtc });
        await purge.ExecuteNonQueryAsync(ct);
        return dropped;
    }

    /// <summary>Rows waiting in the default partition.</summary>
    public static async Task<long> DefaultRowsAsync(NpgsqlConnection connection, PartitionedTable table, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table.DefaultPartition}", connection);
        return (long)(await cmd.ExecuteScalarAsync(ct) ?? 0L);
    }

    private static async Task<bool> CreateAsync(NpgsqlConnection connection, PartitionedTable table, DateTime period, CancellationToken ct)
    {
        var name = table.PartitionName(period);
        var (from, to) = (Literal(period), Literal(table.Next(period)));
        await using var tx = await connection.BeginTransactionAsync(ct);
        await LockAsync(connection, tx, ct);
        await using (var exists = new NpgsqlCommand("SELECT to_regclass(@name) IS NOT NULL", connection, tx))
        {
            exists.Parameters.AddWithValue("name", name);
            if ((bool)(await exists.ExecuteScalarAsync(ct))!)
            {
                return false;
            }
        }

        // Writers wait for the few milliseconds this takes: a row must not reach the default partition
        // for this period between the move and the attach.
        await ExecuteAsync(connection, tx, $"""
            LOCK TABLE {table.Name} IN SHARE ROW EXCLUSIVE MODE;
            CREATE TABLE {name} (LIKE {table.Name} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE);
            WITH moved AS (
                DELETE FROM {table.DefaultPartition} WHERE {table.Column} >= '{from}' AND {table.Column} < '{to}' RETURNING *)
            INSERT INTO {name} SELECT * FROM moved;
            ALTER TABLE {table.Name} ATTACH PARTITION {name} FOR VALUES FROM ('{from}') TO ('{to}');
            """, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private static async Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({MaintenanceLock})", connection, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static string Literal(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'+00'", CultureInfo.InvariantCulture);
}
