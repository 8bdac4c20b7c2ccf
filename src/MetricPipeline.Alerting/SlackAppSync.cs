using MetricPipeline.Data.Entities;
using Npgsql;
using NpgsqlTypes;

namespace MetricPipeline.Alerting;

/// <summary>One change of an alert since its Slack message was last brought up to date (a row of <c>alert_history</c>).</summary>
public sealed record AlertChange(long Id, Guid AlertId, string Event, string? Detail, string? ChildMetric, string? ChildSegment, double? ChildRelativeChange);

/// <summary>
/// Slack app mode's outbox for changes. The message of a posted alert reflects its history up to
/// <c>slack_synced_history_id</c>; any later history row that is a change (any event of the alert
/// other than the delivery bookkeeping below, or a child alert attaching to it) makes the alert due.
/// A claim pushes <c>slack_sync_next_at</c> out by the lease and counts the attempt, which fences the
/// writes that finish it, as in <see cref="SlackOutbox"/>: so each change is edited in and replied
/// to once, whoever dispatches, across retries and restarts.
/// </summary>
public static class SlackAppSync
{
    /// <summary>History events that record delivery, not a change of the alert.</summary>
    public static readonly string[] Bookkeeping = ["opened", "posted", "post_retry", "post_failed", "not_configured", "slack_updated", "slack_update_failed", "slack_action"];

    /// <summary>The newest history id of each alert, read before an alert is built into a message.</summary>
    public static async Task<Dictionary<Guid, long>> HistoryMarksAsync(NpgsqlDataSource dataSource, List<Guid> ids, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT alert_id, max(id) FROM alert_history WHERE alert_id = ANY(@ids) GROUP BY alert_id");
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { TypedValue = [.. ids] });
        var marks = new Dictionary<Guid, long>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            marks[reader.GetGuid(0)] = reader.GetInt64(1);
        }

        return marks;
    }

    /// <summary>The first post is delivered: keep where it is, and that it shows the history up to <paramref name="historyMark"/>.</summary>
    public static async Task<bool> PostedAsync(NpgsqlDataSource dataSource, SlackClaim claim, SlackPosted? posted, long historyMark, string detail)
    {
        await using var cmd = dataSource.CreateCommand("""
            WITH done AS (
                UPDATE alerts SET slack_state = 'delivered', slack_delivered_at = now(), slack_next_attempt_at = NULL, slack_last_error = NULL,
                    slack_channel = @channel, slack_ts = @ts, slack_synced_history_id = @mark
                WHERE id = @id AND slack_state IN ('sending', 'pending')
                RETURNING id)
            INSERT INTO alert_history (alert_id, at, event, detail) SELECT id, now(), 'posted', @detail FROM done
            """);
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", NpgsqlDbType.Uuid) { TypedValue = claim.AlertId });
        cmd.Parameters.Add(new NpgsqlParameter<string?>("channel", NpgsqlDbType.Text) { TypedValue = posted?.Channel });
        cmd.Parameters.Add(new NpgsqlParameter<string?>("ts", NpgsqlDbType.Text) { TypedValue = posted?.Ts });
        cmd.Parameters.Add(new NpgsqlParameter<long>("mark", NpgsqlDbType.Bigint) { TypedValue = historyMark });
        cmd.Parameters.Add(new NpgsqlParameter<string>("detail", NpgsqlDbType.Text) { TypedValue = detail });
        return await cmd.ExecuteNonQueryAsync(CancellationToken.None) > 0;
    }

    /// <summary>Claims posted alerts that changed since their message was last brought up to date.</summary>
    public static async Task<List<SlackClaim>> ClaimAsync(NpgsqlDataSource dataSource, int limit, TimeSpan lease, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            UPDATE alerts SET slack_sync_next_at = now() + @lease, slack_sync_attempts = slack_sync_attempts + 1
            WHERE id IN (
                SELECT a.id FROM alerts a
                WHERE a.slack_ts IS NOT NULL AND (a.slack_sync_next_at IS NULL OR a.slack_sync_next_at <= now())
                  AND EXISTS (
                    SELECT 1 FROM alert_history h
                    WHERE h.id > a.slack_synced_history_id
                      AND ((h.alert_id = a.id AND h.event <> ALL(@bookkeeping))
                        OR (h.event = 'opened' AND h.alert_id IN (SELECT c.id FROM alerts c WHERE c.parent_alert_id = a.id))))
                ORDER BY a.detected_at, a.id
                FOR UPDATE OF a SKIP LOCKED
                LIMIT @limit)
            RETURNING id, slack_sync_attempts
            """);
        cmd.Parameters.Add(new NpgsqlParameter<TimeSpan>("lease", NpgsqlDbType.Interval) { TypedValue = lease });
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = limit });
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("bookkeeping", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = Bookkeeping });
        var claims = new List<SlackClaim>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            claims.Add(new SlackClaim(reader.GetGuid(0), reader.GetInt32(1)));
        }

        return claims;
    }

    /// <summary>The alert's history after its synced mark (its own rows, bookkeeping included for who-did-it, and its children's attachments).</summary>
    public static async Task<List<AlertChange>> ChangesAsync(NpgsqlDataSource dataSource, Guid alertId, long since, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT h.id, h.alert_id, h.event, h.detail, c.metric_key, c.segment, c.relative_change
            FROM alert_history h LEFT JOIN alerts c ON c.id = h.alert_id AND c.id <> @id
            WHERE h.id > @since
              AND (h.alert_id = @id OR (h.event = 'opened' AND h.alert_id IN (SELECT id FROM alerts WHERE parent_alert_id = @id)))
            ORDER BY h.id
            """);
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", NpgsqlDbType.Uuid) { TypedValue = alertId });
        cmd.Parameters.Add(new NpgsqlParameter<long>("since", NpgsqlDbType.Bigint) { TypedValue = since });
        var changes = new List<AlertChange>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            changes.Add(new AlertChange(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetDouble(6)));
        }

        return changes;
    }

    /// <summary>The message shows the history up to <paramref name="mark"/>; the next change starts a fresh count of attempts.</summary>
    public static Task<bool> SyncedAsync(NpgsqlDataSource dataSource, SlackClaim claim, long mark, string detail) =>
        WriteAsync(dataSource, """
            WITH done AS (
                UPDATE alerts SET slack_synced_history_id = GREATEST(slack_synced_history_id, @mark), slack_sync_attempts = 0,
                    slack_sync_next_at = NULL, slack_sync_error = NULL
                WHERE id = @id AND slack_sync_attempts = @attempt
                RETURNING id)
            INSERT INTO alert_history (alert_id, at, event, detail) SELECT id, now(), 'slack_updated', @detail FROM done
            """, claim, mark, null, detail);

    /// <summary>Try again after <paramref name="delay"/>.</summary>
    public static Task<bool> RetryLaterAsync(NpgsqlDataSource dataSource, SlackClaim claim, TimeSpan delay, string error) =>
        WriteAsync(dataSource, """
            UPDATE alerts SET slack_sync_next_at = now() + @delay, slack_sync_error = @detail
            WHERE id = @id AND slack_sync_attempts = @attempt
            """, claim, 0, delay, error);

    /// <summary>Gives these changes up (they stay in the history and the API); a later change is tried afresh.</summary>
    public static Task<bool> GiveUpAsync(NpgsqlDataSource dataSource, SlackClaim claim, long mark, string error) =>
        WriteAsync(dataSource, """
            WITH done AS (
                UPDATE alerts SET slack_synced_history_id = GREATEST(slack_synced_history_id, @mark), slack_sync_attempts = 0,
                    slack_sync_next_at = NULL, slack_sync_error = @detail
                WHERE id = @id AND slack_sync_attempts = @attempt
                RETURNING id)
            INSERT INTO alert_history (alert_id, at, event, detail) SELECT id, now(), 'slack_update_failed', @detail FROM done
            """, claim, mark, null, error);

    /// <summary>Hands a claim back untried (rate limited, or shutting down): the attempt does not count.</summary>
    public static Task<bool> ReleaseAsync(NpgsqlDataSource dataSource, SlackClaim claim, TimeSpan delay) =>
        WriteAsync(dataSource, """
            UPDATE alerts SET slack_sync_next_at = now() + @delay, slack_sync_attempts = slack_sync_attempts - 1
            WHERE id = @id AND slack_sync_attempts = @attempt
            """, claim, 0, delay, null);

    /// <summary>The alert's message in app mode: its state on top once it is not open, and the buttons it still offers.</summary>
    public static SlackMessage WithButtons(SlackMessage message, Alert alert)
    {
        var blocks = message.Blocks.ToList();
        var state = alert.Status switch
        {
            "acknowledged" => $":eyes: *Acknowledged* {Utc(alert.AcknowledgedAt)}",
            "resolved" => $":white_check_mark: *Resolved* {Utc(alert.ResolvedAt)}",
            _ => null,
        };
        if (state is not null)
        {
            blocks.Insert(Math.Min(1, blocks.Count), new ContextBlock([SlackText.Markdown(state)]));
        }

        if (AlertButtons.For(alert.Id, alert.Status) is { } buttons)
        {
            blocks.Add(buttons);
        }

        var text = state is null ? message.Text : $"[{alert.Status}] {message.Text}";
        return new SlackMessage(text, blocks);
    }

    private static string Utc(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "";

    private static async Task<bool> WriteAsync(NpgsqlDataSource dataSource, string sql, SlackClaim claim, long mark, TimeSpan? delay, string? detail)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", NpgsqlDbType.Uuid) { TypedValue = claim.AlertId });
        cmd.Parameters.Add(new NpgsqlParameter<int>("attempt", NpgsqlDbType.Integer) { TypedValue = claim.Attempt });
        if (sql.Contains("@mark", StringComparison.Ordinal))
        {
            cmd.Parameters.Add(new NpgsqlParameter<long>("mark", NpgsqlDbType.Bigint) { TypedValue = mark });
        }

        if (delay is { } d)
        {
            cmd.Parameters.Add(new NpgsqlParameter<TimeSpan>("delay", NpgsqlDbType.Interval) { TypedValue = d });
        }

        if (detail is not null)
        {
            cmd.Parameters.Add(new NpgsqlParameter<string>("detail", NpgsqlDbType.Text) { TypedValue = detail });
        }

        return await cmd.ExecuteNonQueryAsync(CancellationToken.None) > 0;
    }
}
