using System.Text.Json.Serialization;
using MetricPipeline.Data;
using MetricPipeline.Data.Alerts;
using MetricPipeline.Data.Entities;
using MetricPipeline.Detection;
using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace MetricPipeline.Api;

/// <summary>Where the alert's Slack message stands: pending, sending, delivered, failed or suppressed, and the attempts so far.</summary>
public sealed record SlackDeliveryState(string State, int Attempts);

/// <summary>
/// An alert as the API shows it; its deployments, effect and contributors are the detector's typed parts
/// (<see cref="AlertDetails"/>), read tolerantly from the row; <c>onset</c> is when the change may have begun (null for
/// alerts stored before onsets were).
/// </summary>
public record AlertView(
    Guid Id, string Metric, string Segment, string Kind, DateTimeOffset ChangeAt, DateTimeOffset DetectedAt, double Value,
    double ExpectedLow, double ExpectedHigh, double RelativeChange, string Direction, IReadOnlyList<DeploymentMatch> Deployments, EffectInterval? Effect,
    AlertContributors Contributors, string Status, SlackDeliveryState Slack, Guid? ParentAlertId, double Before, double Score,
    DateTimeOffset? AcknowledgedAt, DateTimeOffset? ResolvedAt, OnsetInterval? Onset)
{
    public static AlertView Of(Alert a)
    {
        var details = AlertDetails.Of(a);
        return new(
            a.Id, a.MetricKey, a.Segment, a.Kind, a.ChangeAt, a.DetectedAt, a.Value, a.ExpectedLow, a.ExpectedHigh, a.RelativeChange,
            a.Direction, details.Deployments, details.Effect, details.Contributors, a.Status,
            new SlackDeliveryState(a.SlackState, a.SlackAttempts), a.ParentAlertId, a.Before, a.Score, a.AcknowledgedAt, a.ResolvedAt, details.Onset);
    }
}

public sealed record AlertHistoryView(DateTimeOffset At, string Event, string? Detail);

/// <summary><c>GET /v1/alerts</c>: newest first, at most 1,000.</summary>
public sealed record AlertList(IReadOnlyList<AlertView> Alerts);

/// <summary>
/// <c>GET /v1/alerts/{id}</c>: the alert's own fields at the top level (as in the list), with its history and the
/// alerts attached to it beside them.
/// </summary>
public sealed record AlertDetail : AlertView
{
    public AlertDetail(AlertView alert, IReadOnlyList<AlertHistoryView> history, IReadOnlyList<Guid> attached)
        : base(alert)
    {
        History = history;
        Attached = attached;
    }

    [JsonPropertyOrder(1)]
    public IReadOnlyList<AlertHistoryView> History { get; }

    [JsonPropertyOrder(2)]
    public IReadOnlyList<Guid> Attached { get; }
}

/// <summary><c>GET /v1/alerts</c>, <c>GET /v1/alerts/{id}</c> (the alert with its history and attached alerts), acknowledge and resolve.</summary>
public static class AlertsApi
{
    private static readonly string[] Statuses = [AlertStatus.Open, AlertStatus.Acknowledged, AlertStatus.Resolved];

    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/alerts", ListAsync);
        app.MapGet("/v1/alerts/{id:guid}", GetAsync);
        app.MapPost("/v1/alerts/{id:guid}/acknowledge", AcknowledgeAsync).RequireKey(KeyKind.Admin).ProducesProblem(StatusCodes.Status409Conflict);
        app.MapPost("/v1/alerts/{id:guid}/resolve", ResolveAsync).RequireKey(KeyKind.Admin);
        return app;
    }

    private static async Task<Results<Ok<AlertList>, ProblemHttpResult>> ListAsync(string? status, string? metric, MetricPipelineDbContext db, CancellationToken ct)
    {
        if (status is not null && !Statuses.Contains(status, StringComparer.Ordinal))
        {
            return Problems.BadRequest($"status '{status}' is not one of {string.Join(", ", Statuses)}");
        }

        var query = db.Alerts.AsNoTracking();
        if (status is not null)
        {
            query = query.Where(a => a.Status == status);
        }

        if (!string.IsNullOrEmpty(metric))
        {
            query = query.Where(a => a.MetricKey == metric);
        }

        var rows = await query.OrderByDescending(a => a.DetectedAt).ThenBy(a => a.MetricKey).ThenBy(a => a.Segment).Take(1000).ToListAsync(ct);
        return TypedResults.Ok(new AlertList([.. rows.Select(AlertView.Of)]));
    }

    private static async Task<Results<Ok<AlertDetail>, ProblemHttpResult>> GetAsync(Guid id, MetricPipelineDbContext db, CancellationToken ct)
    {
        if (await db.Alerts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct) is not { } alert)
        {
            return Problems.NotFound($"no alert {id}");
        }

        var history = await db.AlertHistory.AsNoTracking().Where(h => h.AlertId == id).OrderBy(h => h.At).ThenBy(h => h.Id)
            .Select(h => new AlertHistoryView(h.At, h.Event, h.Detail)).ToListAsync(ct);
        var attached = await db.Alerts.AsNoTracking().Where(a => a.ParentAlertId == id).Select(a => a.Id).ToListAsync(ct);
        return TypedResults.Ok(new AlertDetail(AlertView.Of(alert), history, attached));
    }

    private static async Task<Results<Ok<AlertView>, ProblemHttpResult>> AcknowledgeAsync(Guid id, MetricPipelineDbContext db, AlertLifecycle lifecycle, CancellationToken ct)
    {
        if (await db.Alerts.SingleOrDefaultAsync(a => a.Id == id, ct) is not { } alert)
        {
            return Problems.NotFound($"no alert {id}");
        }

        if (alert.Status == AlertStatus.Resolved)
        {
            return TypedResults.Problem(detail: $"alert {id} is already resolved; there is nothing to acknowledge", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        await lifecycle.AcknowledgeAsync(alert, ct);
        return TypedResults.Ok(AlertView.Of(alert));
    }

    private static async Task<Results<Ok<AlertView>, ProblemHttpResult>> ResolveAsync(Guid id, MetricPipelineDbContext db, AlertLifecycle lifecycle, CancellationToken ct)
    {
        if (await db.Alerts.SingleOrDefaultAsync(a => a.Id == id, ct) is not { } alert)
        {
            return Problems.NotFound($"no alert {id}");
        }

        await lifecycle.ResolveAsync(alert, "resolved by hand", ct);
        return TypedResults.Ok(AlertView.Of(alert));
    }
}
