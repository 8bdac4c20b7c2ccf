using System.Globalization;
using MetricPipeline.Data;
using MetricPipeline.Data.Entities;
using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace MetricPipeline.Detection;

public sealed record DeploymentView(
    Guid Id, string Service, string Version, string Kind, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Description,
    IReadOnlyList<string> Products, IReadOnlyList<string> Metrics, DateTimeOffset CreatedAt)
{
    public static DeploymentView Of(Deployment d) =>
        new(d.Id, d.Service, d.Version, d.Kind, d.StartedAt, d.EndedAt, d.Description, d.Products, d.Metrics, d.CreatedAt);
}

/// <summary>Known interventions: <c>POST/GET /v1/deployments</c>, <c>GET /v1/deployments/{id}</c> and <c>/impact</c>.</summary>
public static class DeploymentsApi
{
    public static IEndpointRouteBuilder MapDeploymentsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/deployments", CreateAsync).RequireKey(KeyKind.Admin);
        app.MapGet("/v1/deployments", ListAsync);
        app.MapGet("/v1/deployments/{id:guid}", async (Guid id, MetricPipelineDbContext db, CancellationToken ct) =>
            await db.Deployments.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct) is { } d
                ? Results.Json(DeploymentView.Of(d), AlertJson.Options)
                : Problems.NotFound($"no deployment {id}"));
        app.MapGet("/v1/deployments/{id:guid}/impact", ImpactAsync);
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpRequest request, MetricPipelineDbContext db, MetricStore store, TimeProvider clock, CancellationToken ct)
    {
        using var body = new StreamReader(request.Body);
        var (deployment, errors) = DeploymentRequest.Read(await body.ReadToEndAsync(ct), await store.AllAsync(ct), clock.GetUtcNow());
        if (deployment is null)
        {
            return Problems.BadRequest(string.Join("; ", errors), new Dictionary<string, object?> { ["errors"] = errors });
        }

        db.Deployments.Add(deployment);
        await db.SaveChangesAsync(ct);
        return Results.Json(new { id = deployment.Id }, AlertJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, MetricPipelineDbContext db, CancellationToken ct)
    {
        var query = db.Deployments.AsNoTracking();
        foreach (var (name, apply) in new (string, Func<DateTimeOffset, IQueryable<Deployment>>)[]
        {
            ("from", t => query.Where(d => d.StartedAt >= t)),
            ("to", t => query.Where(d => d.StartedAt < t)),
        })
        {
            if (request.Query.TryGetValue(name, out var text))
            {
                if (!DateTimeOffset.TryParse(text.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
                {
                    return Problems.BadRequest($"'{name}' is not an ISO 8601 date-time: '{text}'");
                }

                query = apply(t.ToUniversalTime());
            }
        }

        if (request.Query["service"].ToString() is { Length: > 0 } service)
        {
            query = query.Where(d => d.Service == service);
        }

        var rows = await query.OrderByDescending(d => d.StartedAt).Take(1000).ToListAsync(ct);
        return Results.Json(new { deployments = rows.Select(DeploymentView.Of) }, AlertJson.Options);
    }

    private static async Task<IResult> ImpactAsync(Guid id, MetricPipelineDbContext db, DeploymentImpact impact, CancellationToken ct)
    {
        if (await db.Deployments.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct) is not { } deployment)
        {
            return Problems.NotFound($"no deployment {id}");
        }

        var report = await impact.EstimateAsync(deployment, ct);
        return Results.Json(new { deployment = DeploymentView.Of(deployment), metrics = report.Metrics, skipped = report.Skipped }, AlertJson.Options);
    }
}
