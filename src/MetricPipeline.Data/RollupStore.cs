using Npgsql;
using NpgsqlTypes;

namespace MetricPipeline.Data;

/// <summary>An increment to one hour bucket: count and sum are added to what is stored.</summary>
public readonly record struct BucketDelta(string MetricKey, DateTime Start, string Segment, long Count, double Sum);

/// <summary>
/// A user seen in an hour bucket of a distinct_users metric, folded into that bucket's sketch: the bucket as an index
/// into the batch's deltas, the user as its <see cref="UserHash"/>.
/// </summary>
public readonly record struct BucketUser(int Bucket, long UserHash);

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
    /// <remarks>
    /// <c>seen_events</c> is partitioned by the event's own time, so an id is unique together with its
    /// timestamp: a re-send (the same event again) carries both and is caught in the same partition.
    /// </remarks>
    public static async Task<HashSet<Guid>> ClaimNewEventsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] sortedIds, DateTime[] occurredAtUtc, DateTime seenAtUtc, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO seen_events (event_id, occurred_at, seen_at)
            SELECT id, at, @seen FROM unnest(@ids, @at) AS t(id, at) ORDER BY id, at
            ON CONFLICT (event_id, occurred_at) DO NOTHING
            RETURNING event_id
            """;
        await using var cmd = new NpgsqlCommand(sql, connection, transaction);
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = sortedIds });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime[]>("at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = occurredAtUtc });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("seen", NpgsqlDbType.TimestampTz) { TypedValue = seenAtUtc });
        var fresh = new HashSet<Guid>(sortedIds.Length);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            fresh.Add(reader.GetGuid(0));
        }

        return fresh;
    }

    /// <summary>
    /// Records the ids as seen when none of them was seen before, with a plain insert (about half the database's work of
    /// <see cref="ClaimNewEventsAsync"/>'s speculative one) and returns true. When one was already seen (or is being
    /// claimed by a concurrent transaction that then commits) the insert is undone to a savepoint and this returns false:
    /// the caller then claims with <see cref="ClaimNewEventsAsync"/>, which sorts the new from the seen.
    /// </summary>
    public static async Task<bool> TryClaimAllAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] sortedIds, DateTime[] occurredAtUtc, DateTime seenAtUtc, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO seen_events (event_id, occurred_at, seen_at)
            SELECT id, at, @seen FROM unnest(@ids, @at) AS t(id, at) ORDER BY id, at
            """;
        await transaction.SaveAsync("claim", ct);
        try
        {
            await using var cmd = new NpgsqlCommand(sql, connection, transaction);
            cmd.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = sortedIds });
            cmd.Parameters.Add(new NpgsqlParameter<DateTime[]>("at", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = occurredAtUtc });
            cmd.Parameters.Add(new NpgsqlParameter<DateTime>("seen", NpgsqlDbType.TimestampTz) { TypedValue = seenAtUtc });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await transaction.RollbackAsync("claim", ct);
            return false;
        }

        await transaction.ReleaseAsync("claim", ct);
        return true;
    }

    /// <summary>
    /// Adds the deltas to their hour buckets and folds the users into the buckets' sketches, in one statement. The
    /// deltas must be sorted and unique by key; each user names its bucket by index into them.
    /// </summary>
    public static async Task UpsertBucketsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<BucketDelta> deltas, IReadOnlyList<BucketUser> users, CancellationToken ct)
    {
        if (deltas.Count == 0)
        {
            return;
        }

        var n = deltas.Count;
        var keys = new string[n];
        var starts = new DateTime[n];
        var segments = new string[n];
        var counts = new long[n];
        var sums = new double[n];
        for (var i = 0; i < n; i++)
        {
            var d = deltas[i];
            (keys[i], starts[i], segments[i], counts[i], sums[i]) = (d.MetricKey, d.Start, d.Segment, d.Count, d.Sum);
        }

        var m = users.Count;
        var buckets = new int[m];
        var hashes = new long[m];
        for (var i = 0; i < m; i++)
        {
            (buckets[i], hashes[i]) = (users[i].Bucket + 1, users[i].UserHash);
        }

        // The hashes are hll_hash_text's own values (UserHash), so hll_hashval only retypes them.
        var sql = $"""
            WITH sketches AS (
                SELECT b, {UserSketch.AddAggregate("hll_hashval(h)")} AS h
                FROM unnest(@ub, @uh) AS t(b, h)
                GROUP BY b)
            INSERT INTO buckets (metric_key, bucket_start, segment, count, sum, users)
            SELECT d.k, d.s, d.seg, d.c, d.v, sketches.h
            FROM unnest(@k, @s, @seg, @c, @v) WITH ORDINALITY AS d(k, s, seg, c, v, i)
            LEFT JOIN sketches ON sketches.b = d.i
            ORDER BY d.k, d.s, d.seg
            ON CONFLICT (metric_key, bucket_start, segment)
            DO UPDATE SET count = buckets.count + excluded.count, sum = buckets.sum + excluded.sum,
                users = CASE WHEN excluded.users IS NULL THEN buckets.users
                             WHEN buckets.users IS NULL THEN excluded.users
                             ELSE hll_union(buckets.users, excluded.users) END
            """;
        await using var cmd = new NpgsqlCommand(sql, connection, transaction);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("k", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = keys });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime[]>("s", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = starts });
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("seg", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = segments });
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("c", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = counts });
        cmd.Parameters.Add(new NpgsqlParameter<double[]>("v", NpgsqlDbType.Array | NpgsqlDbType.Double) { TypedValue = sums });
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("ub", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = buckets });
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("uh", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = hashes });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Reads the registry version inside the batch's transaction.</summary>
    public static async Task<long> RegistryVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT version FROM registry_state WHERE id = 1", connection, transaction);
        return (long)(await cmd.ExecuteScalarAsync(ct) ?? 0L);
    }
}
