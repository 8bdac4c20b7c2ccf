using System.Text.Json;
using MetricPipeline.Data;
using MetricPipeline.Data.Entities;
using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace MetricPipeline.Detection;

public sealed record SlackDelivery(string State, int Attempts);

public sealed record AlertView(
    Guid Id, string Metric, string Segment, string Kind, DateTimeOffset ChangeAt, DateTimeOffset DetectedAt, double Value,
    double ExpectedLow, double ExpectedHigh, double RelativeChange, string Direction, JsonElement Deployments, JsonElement? Effect,
    JsonElement Contributors, string Status, SlackDelivery Slack, Guid? ParentAlertId, double Before, double Score,
    DateTimeOffset? AcknowledgedAt, DateTimeOffset? ResolvedAt)
{
    public static AlertView Of(Alert a) => new(
        a.Id, a.MetricKey, a.Segment, a.Kind, a.ChangeAt, a.DetectedAt, a.Value, a.ExpectedLow, a.ExpectedHigh, a.RelativeChange,
        a.Direction, Parse(a.Deployments), a.Effect is null ? null : Parse(a.Effect), Parse(a.Contributors), a.Status,
        new SlackDelivery(a.SlackState, a.SlackAttempts), a.ParentAlertId, a.Before, a.Score, a.AcknowledgedAt, a.ResolvedAt);

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

public sealed record AlertHistoryView(DateTimeOffset At, string Event, string? Detail);

/// <summary><c>GET /v1/alerts</c>, <c>GET /v1/alerts/{id}</c> (the alert with its history and attached alerts), acknowledge and resolve.</summary>
public static class AlertsApi
{
    private static readonly string[] Statuses = [AlertStatus.Open, AlertStatus.Acknowledged, AlertStatus.Resolved];

    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/alerts", ListAsync);
        app.MapGet("/v1/alerts/{id:guid}", GetAsync);
        app.MapPost("/v1/alerts/{id:guid}/acknowledge", AcknowledgeAsync).RequireKey(KeyKind.Admin);
        app.MapPost("/v1/alerts/{id:guid}/resolve", ResolveAsync).RequireKey(KeyKind.Admin);
        return app;
    }

    private static async Task<IResult> ListAsync(string? status, string? metric, MetricPipelineDbContext db, CancellationToken ct)
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
        return Results.Json(new { alerts = rows.Select(AlertView.Of) }, AlertJson.Options);
    }

    private static async Task<IResult> GetAsync(Guid id, MetricPipelineDbContext db, CancellationToken ct)
    {
        if (await db.Alerts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct) is not { } alert)
        {
            return Problems.NotFound($"no alert {id}");
        }

        var history = await db.AlertHistory.AsNoTracking().Where(h => h.AlertId == id).OrderBy(h => h.At).ThenBy(h => h.Id)
            .Select(h => new AlertHistoryView(h.At, h.Event, h.Detail)).ToListAsync(ct);
        var attached = await db.Alerts.AsNoTracking().Where(a => a.ParentAlertId == id).Select(a => a.Id).ToListAsync(ct);
        // The alert's own fields at the top level (as in the list), with its history and attached alerts beside them.
        var body = JsonSerializer.SerializeToNode(AlertView.Of(alert), AlertJson.Options)!.AsObject();
        body["history"] = JsonSerializer.SerializeToNode(history, AlertJson.Options);
        body["attached"] = JsonSerializer.SerializeToNode(attached, AlertJson.Options);
        return Results.Json(body, AlertJson.Options);
    }

    private static async Task<IResult> AcknowledgeAsync(Guid id, MetricPipelineDbContext db, AlertLifecycle lifecycle, CancellationToken ct)
    {
        if (await db.Alerts.SingleOrDefaultAsync(a => a.Id == id, ct) is not { } alert)
        {
            return Problems.NotFound($"no alert {id}");
        }

        if (alert.Status == AlertStatus.Resolved)
        {
            return Results.Problem(detail: $"alert {id} is already resolved; there is nothing to acknowledge", statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        await lifecycle.AcknowledgeAsync(alert, ct);
        return Results.Json(AlertView.Of(alert), AlertJson.Options);
    }

    private static async Task<IResult> ResolveAsync(Guid id, MetricPipelineDbContext db, AlertLifecycle lifecycle, CancellationToken ct)
    {
        if (await db.Alerts.SingleOrDefaultAsync(a => a.Id == id, ct) is not { } alert)
        {
            return Problems.NotFound($"no alert {id}");
        }

        await lifecycle.ResolveAsync(alert, "resolved by hand", ct);
        return Results.Json(AlertView.Of(alert), AlertJson.Options);
    }
}
