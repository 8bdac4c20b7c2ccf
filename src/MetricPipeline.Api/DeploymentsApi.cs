using System.Globalization;
using MetricPipeline.Data;
using MetricPipeline.Data.Entities;
using MetricPipeline.Detection;
using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace MetricPipeline.Api;

public sealed record DeploymentView(
    Guid Id, string Service, string Version, string Kind, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Description,
    IReadOnlyList<string> Products, IReadOnlyList<string> Metrics, DateTimeOffset CreatedAt)
{
    public static DeploymentView Of(Deployment d) =>
        new(d.Id, d.Service, d.Version, d.Kind, d.StartedAt, d.EndedAt, d.Description, d.Products, d.Metrics, d.CreatedAt);
}

/// <summary>
/// The body of <c>POST /v1/deployments</c>, as the OpenAPI document describes it (the server reads it with
/// <see cref="DeploymentRequest"/>, which reports every problem at once). <c>kind</c> is model (the default),
/// feature_flag, config, incident or external; <c>products</c> and <c>metrics</c> scope it (none: everything).
/// </summary>
public sealed record DeploymentRequestBody(
    string Service, string Version, string? Kind, string? Description, DateTimeOffset StartedAt, DateTimeOffset? EndedAt,
    IReadOnlyList<string>? Products, IReadOnlyList<string>? Metrics);

/// <summary><c>GET /v1/deployments</c>: newest first, at most 1,000.</summary>
public sealed record DeploymentList(IReadOnlyList<DeploymentView> Deployments);

/// <summary><c>POST /v1/deployments</c>: the id of the deployment recorded.</summary>
public sealed record DeploymentCreated(Guid Id);

/// <summary><c>GET /v1/deployments/{id}/impact</c>: the estimated effect on each metric in scope, and the metrics it could not estimate.</summary>
public sealed record DeploymentImpactView(DeploymentView Deployment, IReadOnlyList<MetricImpact> Metrics, IReadOnlyList<SkippedMetric> Skipped);

/// <summary>Known interventions: <c>POST/GET /v1/deployments</c>, <c>GET /v1/deployments/{id}</c> and <c>/impact</c>.</summary>
public static class DeploymentsApi
{
    public static IEndpointRouteBuilder MapDeploymentsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/deployments", CreateAsync).RequireKey(KeyKind.Admin)
            .Accepts<DeploymentRequestBody>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapGet("/v1/deployments", ListAsync).ProducesProblem(StatusCodes.Status400BadRequest);
        app.MapGet("/v1/deployments/{id:guid}", FindAsync).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/v1/deployments/{id:guid}/impact", ImpactAsync).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Created<DeploymentCreated>, ProblemHttpResult>> CreateAsync(HttpRequest request, MetricPipelineDbContext db, MetricStore store, TimeProvider clock, CancellationToken ct)
    {
        using var body = new StreamReader(request.Body);
        var (deployment, errors) = DeploymentRequest.Read(await body.ReadToEndAsync(ct), await store.AllAsync(ct), clock.GetUtcNow());
        if (deployment is null)
        {
            return Problems.BadRequest(string.Join("; ", errors), new Dictionary<string, object?> { ["errors"] = errors });
        }

        db.Deployments.Add(deployment);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/v1/deployments/{deployment.Id}", new DeploymentCreated(deployment.Id));
    }

    private static async Task<Results<Ok<DeploymentList>, ProblemHttpResult>> ListAsync(HttpRequest request, MetricPipelineDbContext db, CancellationToken ct)
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
        return TypedResults.Ok(new DeploymentList([.. rows.Select(DeploymentView.Of)]));
    }

    private static async Task<Results<Ok<DeploymentView>, ProblemHttpResult>> FindAsync(Guid id, MetricPipelineDbContext db, CancellationToken ct) =>
        await db.Deployments.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct) is { } d
            ? TypedResults.Ok(DeploymentView.Of(d))
            : Problems.NotFound($"no deployment {id}");

    private static async Task<Results<Ok<DeploymentImpactView>, ProblemHttpResult>> ImpactAsync(Guid id, MetricPipelineDbContext db, DeploymentImpact impact, CancellationToken ct)
    {
        if (await db.Deployments.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct) is not { } deployment)
        {
            return Problems.NotFound($"no deployment {id}");
        }

        var report = await impact.EstimateAsync(deployment, ct);
        return TypedResults.Ok(new DeploymentImpactView(DeploymentView.Of(deployment), report.Metrics, report.Skipped));
    }
}
