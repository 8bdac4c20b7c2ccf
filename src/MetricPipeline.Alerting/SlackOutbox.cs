using Npgsql;
using NpgsqlTypes;

namespace MetricPipeline.Alerting;

/// <summary>An alert reserved for one post; <see cref="Attempt"/> is also the fencing token of the claim.</summary>
public readonly record struct SlackClaim(Guid AlertId, int Attempt);

/// <summary>
/// The alerts table as a Slack outbox. A row is due when its state is <c>pending</c> (or
/// <c>sending</c> with an expired lease: its claimer died) and <c>slack_next_attempt_at</c> has
/// passed (or is null). Claiming moves it to <c>sending</c>, pushes <c>slack_next_attempt_at</c> out
/// by the lease and counts the attempt, all in one statement; <c>FOR UPDATE SKIP LOCKED</c> lets
/// several dispatchers claim side by side without waiting on or taking each other's rows.
/// Every later write names the attempt it finishes, so a dispatcher whose lease ran out and whose
/// row was claimed again cannot overwrite the newer claim.
/// </summary>
public static class SlackOutbox
{
    public static async Task<List<SlackClaim>> ClaimAsync(NpgsqlDataSource dataSource, int limit, TimeSpan lease, CancellationToken ct)
    {
        // RETURNING comes back in no particular order: sort the claims so the oldest detection is posted first.
        const string sql = """
            WITH claimed AS (
                UPDATE alerts SET slack_state = 'sending', slack_next_attempt_at = now() + @lease, slack_attempts = slack_attempts + 1
                WHERE id IN (
                    SELECT id FROM alerts
                    WHERE slack_state IN ('pending', 'sending') AND (slack_next_attempt_at IS NULL OR slack_next_attempt_at <= now())
                    ORDER BY slack_next_attempt_at NULLS FIRST, detected_at, id
                    FOR UPDATE SKIP LOCKED
                    LIMIT @limit)
                RETURNING id, slack_attempts, detected_at)
            SELECT id, slack_attempts FROM claimed ORDER BY detected_at, id
            """;
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter<TimeSpan>("lease", NpgsqlDbType.Interval) { TypedValue = lease });
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = limit });
        var claims = new List<SlackClaim>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            claims.Add(new SlackClaim(reader.GetGuid(0), reader.GetInt32(1)));
        }

        return claims;
    }

    /// <summary>
    /// Slack has the message. Recorded even if the lease had run out (unless another claimer already
    /// recorded it): stopping further posts matters more than whose claim it was.
    /// </summary>
    public static Task<bool> DeliveredAsync(NpgsqlDataSource dataSource, SlackClaim claim, string detail, CancellationToken ct) =>
        WriteAsync(dataSource, """
            WITH done AS (
                UPDATE alerts SET slack_state = 'delivered', slack_delivered_at = now(), slack_next_attempt_at = NULL, slack_last_error = NULL
                WHERE id = @id AND slack_state IN ('sending', 'pending')
                RETURNING id)
            INSERT INTO alert_history (alert_id, at, event, detail) SELECT id, now(), 'posted', @detail FROM done
            """, claim, ct, ("detail", detail));

    /// <summary>Back to pending, due after <paramref name="delay"/>; <paramref name="error"/> kept as the last error.</summary>
    public static Task<bool> RetryLaterAsync(NpgsqlDataSource dataSource, SlackClaim claim, TimeSpan delay, string error, CancellationToken ct) =>
        WriteAsync(dataSource, """
            WITH done AS (
                UPDATE alerts SET slack_state = 'pending', slack_next_attempt_at = now() + @delay, slack_last_error = @error
                WHERE id = @id AND slack_state = 'sending' AND slack_attempts = @attempt
                RETURNING id)
            INSERT INTO alert_history (alert_id, at, event, detail) SELECT id, now(), 'post_retry', @detail FROM done
            """, claim, ct, ("delay", delay), ("error", error), ("detail", $"attempt {claim.Attempt}: {error}; next in {delay.TotalSeconds:0.#} s"));

    /// <summary>Gives up: <c>failed</c>, never tried again.</summary>
    public static Task<bool> FailedAsync(NpgsqlDataSource dataSource, SlackClaim claim, string error, CancellationToken ct) =>
        WriteAsync(dataSource, """
            WITH done AS (
                UPDATE alerts SET slack_state = 'failed', slack_next_attempt_at = NULL, slack_last_error = @error
                WHERE id = @id AND slack_state = 'sending' AND slack_attempts = @attempt
                RETURNING id)
            INSERT INTO alert_history (alert_id, at, event, detail) SELECT id, now(), 'post_failed', @error FROM done
            """, claim, ct, ("error", error));

    /// <summary>No webhook anywhere: the alert is kept (and logged) but not posted.</summary>
    public static Task<bool> NotConfiguredAsync(NpgsqlDataSource dataSource, SlackClaim claim, string detail, CancellationToken ct) =>
        WriteAsync(dataSource, """
            WITH done AS (
                UPDATE alerts SET slack_state = 'not_configured', slack_next_attempt_at = NULL, slack_attempts = slack_attempts - 1
                WHERE id = @id AND slack_state = 'sending' AND slack_attempts = @attempt
                RETURNING id)
            INSERT INTO alert_history (alert_id, at, event, detail) SELECT id, now(), 'not_configured', @detail FROM done
            """, claim, ct, ("detail", detail));

    /// <summary>Hands back a claim that was not posted (shutting down, or its webhook is rate limited): the attempt is not counted.</summary>
    public static Task<bool> ReleaseAsync(NpgsqlDataSource dataSource, SlackClaim claim, TimeSpan delay, CancellationToken ct) =>
        WriteAsync(dataSource, """
            UPDATE alerts SET slack_state = 'pending', slack_next_attempt_at = now() + @delay, slack_attempts = slack_attempts - 1
            WHERE id = @id AND slack_state = 'sending' AND slack_attempts = @attempt
            """, claim, ct, ("delay", delay));

    private static async Task<bool> WriteAsync(
        NpgsqlDataSource dataSource, string sql, SlackClaim claim, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", NpgsqlDbType.Uuid) { TypedValue = claim.AlertId });
        cmd.Parameters.Add(new NpgsqlParameter<int>("attempt", NpgsqlDbType.Integer) { TypedValue = claim.Attempt });
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.Add(value switch
            {
                TimeSpan span => new NpgsqlParameter<TimeSpan>(name, NpgsqlDbType.Interval) { TypedValue = span },
                string text => new NpgsqlParameter<string>(name, NpgsqlDbType.Text) { TypedValue = text },
                _ => throw new ArgumentException($"parameter '{name}' has unsupported type {value.GetType().Name}", nameof(parameters)),
            });
        }

        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }
}
