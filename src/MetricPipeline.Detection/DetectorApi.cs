using System.Globalization;
using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MetricPipeline.Detection;

/// <summary><c>POST /v1/detector/run?asOf=ISO</c>: one pass now, as if the clock read <c>asOf</c>.</summary>
public static class DetectorApi
{
    public static IEndpointRouteBuilder MapDetectorApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/detector/run", async (string? asOf, DetectionPass pass, DetectorInstance instance, TimeProvider clock, CancellationToken ct) =>
        {
            var at = clock.GetUtcNow();
            if (asOf is not null && !DateTimeOffset.TryParse(asOf, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at))
            {
                return Problems.BadRequest($"'asOf' is not an ISO 8601 date-time: '{asOf}' (e.g. 2026-11-20T10:00:00Z)");
            }

            var result = await pass.RunAsync(at.UtcDateTime, "on_demand", null, instance.Id, ct);
            return Results.Json(new { nodes = result.Nodes, alertsOpened = result.Opened.Count, alerts = result.Opened, alertsResolved = result.Resolved, run = result.RunId }, AlertJson.Options);
        }).RequireKey(KeyKind.Admin);
        return app;
    }
}
