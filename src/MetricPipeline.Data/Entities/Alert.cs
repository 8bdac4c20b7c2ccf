namespace MetricPipeline.Data.Entities;

/// <summary>
/// One detected shift of one metric segment. <see cref="Fingerprint"/> (metric, segment, change time)
/// is unique, so the same shift is one alert however often detection runs. The Slack columns make the
/// row its own outbox: a dispatcher posts rows whose <see cref="SlackState"/> is pending and due.
/// </summary>
public sealed class Alert
{
    public Guid Id { get; set; }
    public required string Fingerprint { get; set; }
    public required string MetricKey { get; set; }
    public required string Segment { get; set; }

    /// <summary>level_shift, spike, dip or trend_change.</summary>
    public required string Kind { get; set; }

    public DateTimeOffset ChangeAt { get; set; }
    public DateTimeOffset DetectedAt { get; set; }
    public double Value { get; set; }
    public double Before { get; set; }
    public double ExpectedLow { get; set; }
    public double ExpectedHigh { get; set; }
    public double RelativeChange { get; set; }

    /// <summary>bad or good, against the metric's direction.</summary>
    public required string Direction { get; set; }

    public double Score { get; set; }

    /// <summary>JSON array of <c>Alerts.DeploymentMatch</c>: [{id, service, version, lagMinutes, kind}].</summary>
    public string Deployments { get; set; } = "[]";

    /// <summary>JSON <c>Alerts.EffectInterval</c> {relative, low, high}, or null when no effect was estimated.</summary>
    public string? Effect { get; set; }

    /// <summary>JSON <c>Alerts.AlertContributors</c> {children: […], segments: […]}.</summary>
    public string Contributors { get; set; } = "{\"children\":[],\"segments\":[]}";

    /// <summary>JSON <c>Alerts.OnsetInterval</c> {earliest, latest}: when the change may have begun; null in alerts stored before onsets were.</summary>
    public string? Onset { get; set; }

    /// <summary>Set when this shift is explained by a parent metric's alert: attached, not posted on its own.</summary>
    public Guid? ParentAlertId { get; set; }

    /// <summary>open, acknowledged or resolved.</summary>
    public required string Status { get; set; }

    public DateTimeOffset? AcknowledgedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }

    /// <summary>pending, sending, delivered, failed, not_configured (no webhook) or suppressed (attached to a parent).</summary>
    public required string SlackState { get; set; }

    public int SlackAttempts { get; set; }
    public DateTimeOffset? SlackNextAttemptAt { get; set; }
    public DateTimeOffset? SlackDeliveredAt { get; set; }
    public string? SlackLastError { get; set; }

    /// <summary>Slack app mode: the channel ID and <c>ts</c> of the posted message, which edits and thread replies name.</summary>
    public string? SlackChannel { get; set; }

    public string? SlackTs { get; set; }

    /// <summary>App mode: the newest <c>alert_history</c> id the Slack message reflects; later changes are edited in and replied in its thread.</summary>
    public long SlackSyncedHistoryId { get; set; }

    /// <summary>App mode: tries of the current edit-and-reply (also the fencing token of its claim), when it is next due, and its last error.</summary>
    public int SlackSyncAttempts { get; set; }

    public DateTimeOffset? SlackSyncNextAt { get; set; }

    public string? SlackSyncError { get; set; }
}
