using Npgsql;
using NpgsqlTypes;

namespace MetricPipeline.Data;

/// <summary>An increment to one bucket: count and sum are added to what is stored.</summary>
public readonly record struct BucketDelta(string MetricKey, short Grain, DateTime Start, string Segment, long Count, double Sum);

/// <summary>A user seen in a bucket of a distinct_users metric.</summary>
public readonly record struct BucketMembership(string MetricKey, short Grain, DateTime Start, string Segment, string UserId);

/// <summary>
/// The rollup's set-based writes. Every method runs inside the caller's transaction, and takes its
/// rows sorted by key so that concurrent workers lock rows in the same order and cannot deadlock.
/// </summary>
public static class RollupStore
{
    /// <summary>
    /// Records the ids as seen and returns those that were not seen before (the events to count).
    /// A concurrent transaction inserting the same id blocks here until it commits, then the id is skipped.
    /// </summary>
    public static async Task<HashSet<Guid>> ClaimNewEventsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] sortedIds, DateTime seenAtUtc, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO seen_events (event_id, seen_at)
            SELECT id, @seen FROM unnest(@ids) AS t(id) ORDER BY id
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id
            """;
        await using var cmd = new NpgsqlCommand(sql, connection, transaction);
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = sortedIds });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("seen", NpgsqlDbType.TimestampTz) { TypedValue = seenAtUtc });
        var fresh = new HashSet<Guid>(sortedIds.Length);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            fresh.Add(reader.GetGuid(0));
        }

        return fresh;
    }

    /// <summary>Adds the deltas to their buckets in one statement. <paramref name="sorted"/> must be sorted and unique by key.</summary>
    public static async Task UpsertBucketsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<BucketDelta> sorted, CancellationToken ct)
    {
        if (sorted.Count == 0)
        {
            return;
        }

        var n = sorted.Count;
        var keys = new string[n];
        var grains = new short[n];
        var starts = new DateTime[n];
        var segments = new string[n];
        var counts = new long[n];
        var sums = new double[n];
        for (var i = 0; i < n; i++)
        {
            var d = sorted[i];
            (keys[i], grains[i], starts[i], segments[i], counts[i], sums[i]) = (d.MetricKey, d.Grain, d.Start, d.Segment, d.Count, d.Sum);
        }

        const string sql = """
            INSERT INTO buckets (metric_key, grain, bucket_start, segment, count, sum, users)
            SELECT k, g, s, seg, c, v, 0 FROM unnest(@k, @g, @s, @seg, @c, @v) AS t(k, g, s, seg, c, v)
            ON CONFLICT (metric_key, grain, bucket_start, segment)
            DO UPDATE SET count = buckets.count + excluded.count, sum = buckets.sum + excluded.sum
            """;
        await using var cmd = new NpgsqlCommand(sql, connection, transaction);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("k", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = keys });
        cmd.Parameters.Add(new NpgsqlParameter<short[]>("g", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { TypedValue = grains });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime[]>("s", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = starts });
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("seg", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = segments });
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("c", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = counts });
        cmd.Parameters.Add(new NpgsqlParameter<double[]>("v", NpgsqlDbType.Array | NpgsqlDbType.Double) { TypedValue = sums });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Records user memberships and adds the number of users new to each bucket to its <c>users</c>
    /// column: exact distinct counts, however often a user recurs. Input sorted and unique.
    /// </summary>
    public static async Task AddMembershipsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<BucketMembership> sorted, CancellationToken ct)
    {
        if (sorted.Count == 0)
        {
            return;
        }

        var n = sorted.Count;
        var keys = new string[n];
        var grains = new short[n];
        var starts = new DateTime[n];
        var segments = new string[n];
        var users = new string[n];
        for (var i = 0; i < n; i++)
        {
            var m = sorted[i];
            (keys[i], grains[i], starts[i], segments[i], users[i]) = (m.MetricKey, m.Grain, m.Start, m.Segment, m.UserId);
        }

        const string sql = """
            WITH added AS (
                INSERT INTO bucket_users (metric_key, grain, bucket_start, segment, user_id)
                SELECT k, g, s, seg, u FROM unnest(@k, @g, @s, @seg, @u) AS t(k, g, s, seg, u)
                ON CONFLICT DO NOTHING
                RETURNING metric_key, grain, bucket_start, segment)
            INSERT INTO buckets (metric_key, grain, bucket_start, segment, count, sum, users)
            SELECT metric_key, grain, bucket_start, segment, 0, 0, count(*) FROM added
            GROUP BY metric_key, grain, bucket_start, segment
            ORDER BY metric_key, grain, bucket_start, segment
            ON CONFLICT (metric_key, grain, bucket_start, segment)
            DO UPDATE SET users = buckets.users + excluded.users
            """;
        await using var cmd = new NpgsqlCommand(sql, connection, transaction);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("k", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = keys });
        cmd.Parameters.Add(new NpgsqlParameter<short[]>("g", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { TypedValue = grains });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime[]>("s", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = starts });
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("seg", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = segments });
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("u", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = users });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Reads the registry version inside the batch's transaction.</summary>
    public static async Task<long> RegistryVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT version FROM registry_state WHERE id = 1", connection, transaction);
        return (long)(await cmd.ExecuteScalarAsync(ct) ?? 0L);
    }

    /// <summary>Deletes seen ids older than the retention cutoff, a chunk at a time; returns how many went.</summary>
    public static async Task<int> PurgeSeenEventsAsync(NpgsqlConnection connection, DateTime cutoffUtc, int chunk, CancellationToken ct)
    {
        const string sql = """
            DELETE FROM seen_events WHERE event_id IN (
                SELECT event_id FROM seen_events WHERE seen_at < @cutoff LIMIT @chunk)
            """;
        await using var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("cutoff", NpgsqlDbType.TimestampTz) { TypedValue = cutoffUtc });
        cmd.Parameters.Add(new NpgsqlParameter<int>("chunk", NpgsqlDbType.Integer) { TypedValue = chunk });
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
