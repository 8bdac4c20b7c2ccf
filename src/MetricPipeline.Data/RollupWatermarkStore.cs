using Npgsql;
using NpgsqlTypes;

namespace MetricPipeline.Data;

/// <summary>One rollup worker's last report, and whether it still counts (see <see cref="RollupWatermarkStore"/>).</summary>
public sealed record RollupWorkerReport(string Instance, DateTime CaughtUpTo, DateTime ReportedAt, bool Stopped)
{
    /// <summary>Running and heard from within <see cref="RollupWatermarkStore.WorkerGoneAfter"/>.</summary>
    public bool Active(DateTime nowUtc) => !Stopped && ReportedAt >= nowUtc - RollupWatermarkStore.WorkerGoneAfter;
}

/// <summary>
/// The rollup's watermark: every event ingest accepted before <see cref="CaughtUpTo"/> is in the buckets. Null when no
/// rollup worker has ever reported (a database loaded by other means): nothing then holds a pass back.
/// </summary>
public sealed record RollupWatermark(DateTime? CaughtUpTo, IReadOnlyList<RollupWorkerReport> Workers)
{
    /// <summary>How far the watermark is behind <paramref name="nowUtc"/> (zero when unknown).</summary>
    public TimeSpan Lag(DateTime nowUtc) => CaughtUpTo is { } w && w < nowUtc ? nowUtc - w : TimeSpan.Zero;

    /// <summary>
    /// The watermark from the workers' reports: the least of the active workers' (each one vouches only for the
    /// messages it received, and an idle one for the queue being empty); with no active worker, the newest report of
    /// any — the rollup stopped there, and the watermark stays there until a worker runs again.
    /// </summary>
    public static RollupWatermark Of(IReadOnlyList<RollupWorkerReport> workers, DateTime nowUtc)
    {
        var active = workers.Where(w => w.Active(nowUtc)).ToList();
        DateTime? caughtUpTo = active.Count > 0 ? active.Min(w => w.CaughtUpTo)
            : workers.Count > 0 ? workers.Max(w => w.CaughtUpTo)
            : null;
        return new RollupWatermark(caughtUpTo, workers);
    }
}

/// <summary>Reads and writes <c>rollup_watermarks</c>, one row per rollup worker process.</summary>
public static class RollupWatermarkStore
{
    /// <summary>
    /// A worker not heard from for this long is gone (killed, or cut off): its messages went back to the queue and
    /// reach the other workers, so its row no longer holds the watermark back. Workers report every second by default.
    /// </summary>
    public static readonly TimeSpan WorkerGoneAfter = TimeSpan.FromSeconds(30);

    /// <summary>Writes this worker's progress (one small upsert).</summary>
    public static async Task ReportAsync(
        NpgsqlDataSource dataSource, string instance, DateTime caughtUpTo, DateTime reportedAt, bool stopped, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO rollup_watermarks (instance, caught_up_to, reported_at, stopped) VALUES (@i, @w, @r, @s)
            ON CONFLICT (instance) DO UPDATE SET caught_up_to = excluded.caught_up_to, reported_at = excluded.reported_at, stopped = excluded.stopped
            """);
        cmd.Parameters.Add(new NpgsqlParameter<string>("i", NpgsqlDbType.Text) { TypedValue = instance });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("w", NpgsqlDbType.TimestampTz) { TypedValue = caughtUpTo });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("r", NpgsqlDbType.TimestampTz) { TypedValue = reportedAt });
        cmd.Parameters.Add(new NpgsqlParameter<bool>("s", NpgsqlDbType.Boolean) { TypedValue = stopped });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Forgets workers not heard from since <paramref name="beforeUtc"/>, except the newest (it carries the watermark when none runs).</summary>
    public static async Task ForgetAsync(NpgsqlDataSource dataSource, DateTime beforeUtc, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            DELETE FROM rollup_watermarks
            WHERE reported_at < @before AND instance <> (SELECT instance FROM rollup_watermarks ORDER BY caught_up_to DESC LIMIT 1)
            """);
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("before", NpgsqlDbType.TimestampTz) { TypedValue = beforeUtc });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The rollup's watermark as of <paramref name="nowUtc"/>.</summary>
    public static async Task<RollupWatermark> ReadAsync(NpgsqlDataSource dataSource, DateTime nowUtc, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT instance, caught_up_to, reported_at, stopped FROM rollup_watermarks ORDER BY instance");
        var workers = new List<RollupWorkerReport>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            workers.Add(new RollupWorkerReport(reader.GetString(0), reader.GetDateTime(1), reader.GetDateTime(2), reader.GetBoolean(3)));
        }

        return RollupWatermark.Of(workers, nowUtc);
    }
}
