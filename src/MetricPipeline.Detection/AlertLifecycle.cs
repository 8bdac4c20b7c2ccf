using System.Security.Cryptography;
using System.Text;
using MetricPipeline.Data;
using MetricPipeline.Data.Alerts;
using MetricPipeline.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MetricPipeline.Detection;

public static class AlertStatus
{
    public const string Open = "open";
    public const string Acknowledged = "acknowledged";
    public const string Resolved = "resolved";
}

/// <summary>
/// One alert per shift. A draft whose fingerprint (metric, segment, change time) exists, or that lies within the
/// same-shift tolerance of an alert of the same series and sign, is that alert: refreshed if its numbers moved, never
/// opened again, whatever its status. A draft of the opposite sign that brings the series back to the level an earlier
/// alert left is that alert's recovery, not news. Attached alerts (explained by a parent's) are stored with Slack
/// state 'suppressed'; others 'pending', for the Slack outbox dispatcher. Every change writes a history row.
/// </summary>
public sealed class AlertLifecycle(MetricPipelineDbContext db, TimeProvider clock)
{
    /// <summary>sha256 of "metric|segment|changeAt", hex, 32 characters.</summary>
    public static string Fingerprint(string metric, string segment, DateTime changeAt)
    {
        var text = $"{metric}|{segment}|{changeAt.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss'Z'}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }

    /// <summary>
    /// An alert of the same series whose change time is within <paramref name="tolerance"/>, nearest first; with
    /// <paramref name="sign"/> only alerts whose relative change has that sign.
    /// </summary>
    public async Task<Alert?> FindNearAsync(string metric, string segment, DateTime changeAt, TimeSpan tolerance, int? sign, CancellationToken ct)
    {
        var from = new DateTimeOffset(changeAt - tolerance, TimeSpan.Zero);
        var to = new DateTimeOffset(changeAt + tolerance, TimeSpan.Zero);
        var candidates = await db.Alerts
            .Where(a => a.MetricKey == metric && a.Segment == segment && a.ChangeAt >= from && a.ChangeAt <= to)
            .ToListAsync(ct);
        var at = new DateTimeOffset(changeAt, TimeSpan.Zero);
        return candidates
            .Where(a => sign is null || Math.Sign(a.RelativeChange) == sign)
            .OrderBy(a => (a.ChangeAt - at).Duration())
            .FirstOrDefault();
    }

    /// <summary>
    /// The alert this draft already is: same fingerprint; or the same series and sign within the tolerance; or an
    /// unresolved alert of the same series and sign that began inside the tested window (from
    /// <paramref name="testedSince"/>) and before the draft ends — the same deviation, seen again as it grows, moves
    /// by a few buckets, or becomes a level shift.
    /// </summary>
    public async Task<Alert?> FindExistingAsync(AlertDraft draft, TimeSpan tolerance, DateTime testedSince, CancellationToken ct)
    {
        var fingerprint = Fingerprint(draft.MetricKey, draft.Segment, draft.ChangeAt);
        if (await db.Alerts.SingleOrDefaultAsync(a => a.Fingerprint == fingerprint, ct) is { } same)
        {
            return same;
        }

        if (await FindNearAsync(draft.MetricKey, draft.Segment, draft.ChangeAt, tolerance, Math.Sign(draft.RelativeChange), ct) is { } near)
        {
            return near;
        }

        var from = new DateTimeOffset(testedSince - tolerance, TimeSpan.Zero);
        var to = new DateTimeOffset(draft.EndAt, TimeSpan.Zero);
        var ongoing = await db.Alerts
            .Where(a => a.MetricKey == draft.MetricKey && a.Segment == draft.Segment && a.Status != AlertStatus.Resolved && a.ChangeAt >= from && a.ChangeAt < to)
            .OrderByDescending(a => a.ChangeAt)
            .ToListAsync(ct);
        return ongoing.FirstOrDefault(a => Math.Sign(a.RelativeChange) == Math.Sign(draft.RelativeChange));
    }

    /// <summary>Opens the draft as a new alert; <paramref name="parentAlertId"/> attaches it to the alert that explains it.</summary>
    public async Task<Alert> OpenAsync(AlertDraft draft, Guid? parentAlertId, CancellationToken ct)
    {
        var fingerprint = Fingerprint(draft.MetricKey, draft.Segment, draft.ChangeAt);
        var now = clock.GetUtcNow();
        var alert = new Alert
        {
            Id = Guid.CreateVersion7(),
            Fingerprint = fingerprint,
            MetricKey = draft.MetricKey,
            Segment = draft.Segment,
            Kind = draft.Kind,
            ChangeAt = new DateTimeOffset(draft.ChangeAt, TimeSpan.Zero),
            DetectedAt = now,
            Status = AlertStatus.Open,
            Direction = draft.Direction,
            ParentAlertId = parentAlertId,
            SlackState = parentAlertId is null ? "pending" : "suppressed",
            SlackNextAttemptAt = parentAlertId is null ? now : null,
        };
        Apply(alert, draft);
        db.Alerts.Add(alert);
        db.AlertHistory.Add(new AlertHistory
        {
            AlertId = alert.Id,
            At = now,
            Event = "opened",
            Detail = parentAlertId is null ? $"{draft.RelativeChange:+0.0%;-0.0%} {draft.Direction}" : $"attached to alert {parentAlertId}",
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another pass stored the same shift first (passes are serialised, so this is a safety net): it is that alert.
            db.ChangeTracker.Clear();
            return await db.Alerts.SingleAsync(a => a.Fingerprint == fingerprint, ct);
        }

        return alert;
    }

    /// <summary>
    /// An alert of the same series, before the draft's change and of the opposite sign, that the draft undoes:
    /// (1 + its change)·(1 + the draft's change) is within half the alert threshold of 1 — the level is back. The alert
    /// must have been unresolved when the draft's change began: one resolved since (by this recovery, seen again by a
    /// later pass) is still found, so the recovery is never news; one resolved before is not.
    /// </summary>
    public async Task<Alert?> FindRecoveredAsync(AlertDraft draft, double minRelativeChange, CancellationToken ct)
    {
        var at = new DateTimeOffset(draft.ChangeAt, TimeSpan.Zero);
        var earlier = await db.Alerts
            .Where(a => a.MetricKey == draft.MetricKey && a.Segment == draft.Segment && a.ChangeAt < at
                && (a.Status != AlertStatus.Resolved || a.ResolvedAt >= at))
            .OrderByDescending(a => a.ChangeAt)
            .ToListAsync(ct);
        return earlier.FirstOrDefault(a =>
            Math.Sign(a.RelativeChange) == -Math.Sign(draft.RelativeChange)
            && Math.Abs(((1 + a.RelativeChange) * (1 + draft.RelativeChange)) - 1) <= minRelativeChange / 2);
    }

    /// <summary>Resolves an alert and the alerts attached to it; no-op for one already resolved.</summary>
    public async Task<bool> ResolveAsync(Alert alert, string detail, CancellationToken ct)
    {
        if (alert.Status == AlertStatus.Resolved)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        var attached = await db.Alerts.Where(a => a.ParentAlertId == alert.Id && a.Status != AlertStatus.Resolved).ToListAsync(ct);
        foreach (var a in attached.Prepend(alert))
        {
            a.Status = AlertStatus.Resolved;
            a.ResolvedAt = now;
            db.AlertHistory.Add(new AlertHistory { AlertId = a.Id, At = now, Event = "resolved", Detail = a == alert ? detail : $"with parent alert {alert.Id}" });
        }

        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Marks an open alert acknowledged. False when it is not open.</summary>
    public async Task<bool> AcknowledgeAsync(Alert alert, CancellationToken ct)
    {
        if (alert.Status != AlertStatus.Open)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        alert.Status = AlertStatus.Acknowledged;
        alert.AcknowledgedAt = now;
        db.AlertHistory.Add(new AlertHistory { AlertId = alert.Id, At = now, Event = "acknowledged" });
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// Refreshes an unresolved alert's numbers when they moved (a longer post window sharpens them). True if changed.
    /// With <paramref name="redate"/> the change time moves to the draft's too: a later pass has more buckets after the
    /// onset than the one that opened the alert, so its estimate of where the change began is the better one (the
    /// fingerprint keeps the first, so the alert stays one). The deployments and onset are then those of the new change
    /// time; a draft dated elsewhere that does not move the alert leaves them as they are.
    /// </summary>
    public async Task<bool> RefreshAsync(Alert alert, AlertDraft draft, CancellationToken ct, bool redate = false)
    {
        if (alert.Status == AlertStatus.Resolved)
        {
            return false;
        }

        var changeAt = new DateTimeOffset(draft.ChangeAt, TimeSpan.Zero);
        var moved = redate && changeAt != alert.ChangeAt;
        var before = (alert.RelativeChange, alert.Kind, Details: AlertDetails.Of(alert), alert.ChangeAt);
        if (!moved && changeAt != alert.ChangeAt)
        {
            // A draft dated elsewhere that does not move the alert: its deployments and onset are those of another time.
            draft = draft with { Deployments = before.Details.Deployments, Onset = before.Details.Onset };
        }

        var probe = new Alert
        {
            Fingerprint = alert.Fingerprint, MetricKey = alert.MetricKey, Segment = alert.Segment, Kind = alert.Kind,
            Direction = alert.Direction, Status = alert.Status, SlackState = alert.SlackState,
        };
        Apply(probe, draft);
        if (!moved
            && draft.Kind == before.Kind
            && Math.Abs(probe.RelativeChange - before.RelativeChange) < 0.005
            && AlertDetails.Of(probe) is var fresh
            && fresh.Deployments.SequenceEqual(before.Details.Deployments)
            && fresh.Contributors.Equals(before.Details.Contributors))
        {
            return false;
        }

        Apply(alert, draft);
        if (moved)
        {
            alert.ChangeAt = changeAt;
        }

        var detail = draft.Kind == before.Kind
            ? $"relative change {before.RelativeChange:+0.0%;-0.0%} → {draft.RelativeChange:+0.0%;-0.0%}"
            : $"{before.Kind} → {draft.Kind}, relative change {before.RelativeChange:+0.0%;-0.0%} → {draft.RelativeChange:+0.0%;-0.0%}";
        db.AlertHistory.Add(new AlertHistory
        {
            AlertId = alert.Id,
            At = clock.GetUtcNow(),
            Event = "updated",
            Detail = moved ? $"{detail}, began {before.ChangeAt.UtcDateTime:u} → {draft.ChangeAt:u}" : detail,
        });
        await db.SaveChangesAsync(ct);
        return true;
    }

    private static void Apply(Alert alert, AlertDraft draft)
    {
        alert.Kind = draft.Kind;
        alert.Value = draft.Value;
        alert.Before = draft.Before;
        alert.ExpectedLow = draft.ExpectedLow;
        alert.ExpectedHigh = draft.ExpectedHigh;
        alert.RelativeChange = SixDecimals.Round(draft.RelativeChange);
        alert.Score = draft.Score;
        new AlertDetails(draft.Deployments, draft.Effect, draft.Contributors, draft.Onset).WriteTo(alert);
    }
}
