using System.Globalization;
using MassTransit;
using MetricPipeline.Detection;
using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Api;

/// <summary>
/// What an on-demand pass did: the nodes it read, the alerts it opened (ids) and resolved, its run id and the detector
/// that ran it; the end of the newest bucket it read and the rollup watermark it saw (null: no rollup worker has
/// reported) — a <c>readThrough</c> before <c>asOf − Detector:SettleDelay</c> means the rollup held the pass back.
/// </summary>
public sealed record DetectorRunResult(
    int Nodes, int AlertsOpened, IReadOnlyList<Guid> Alerts, int AlertsResolved, long Run, string Instance, DateTimeOffset? ReadThrough, DateTimeOffset? RollupWatermark);

/// <summary>
/// <c>POST /v1/detector/run?asOf=ISO</c>: one pass now, as if the clock read <c>asOf</c>. The API does not run passes
/// itself: it asks a process with the detector role over the bus and answers with what that pass did, or 503 when no
/// detector takes the request (none connected, or none answered within <c>Api:DetectorRunTimeout</c>).
/// </summary>
public static class DetectorApi
{
    public static IEndpointRouteBuilder MapDetectorApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/detector/run", RunAsync).RequireKey(KeyKind.Admin)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Ok<DetectorRunResult>, ProblemHttpResult>> RunAsync(
        string? asOf, IRequestClient<RunDetectionPass> detector, IOptions<DetectorRunOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var at = clock.GetUtcNow();
        if (asOf is not null && !DateTimeOffset.TryParse(asOf, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at))
        {
            return Problems.BadRequest($"'asOf' is not an ISO 8601 date-time: '{asOf}' (e.g. 2026-11-20T10:00:00Z)");
        }

        var timeout = options.Value.DetectorRunTimeout;
        try
        {
            // Mandatory: RabbitMQ returns the request at once when no detector has ever bound a queue for it.
            var response = await detector.GetResponse<DetectionPassRan>(
                new RunDetectionPass(at.UtcDateTime),
                x => x.UseExecute(context =>
                {
                    if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
                    {
                        rabbit.Mandatory = true;
                    }
                }),
                ct,
                RequestTimeout.After(ms: (int)timeout.TotalMilliseconds));
            var ran = response.Message;
            return TypedResults.Ok(new DetectorRunResult(
                ran.Nodes, ran.Opened.Count, ran.Opened, ran.Resolved, ran.RunId, ran.Instance, Utc(ran.ReadThrough), Utc(ran.RollupWatermark)));
        }
        catch (RequestTimeoutException)
        {
            return Problems.Unavailable($"no detector answered within {timeout.TotalSeconds:0} s: check that a process with the detector role is running (Roles=detector, or all); a pass that is still running finishes on its own");
        }
        catch (RequestFaultException e)
        {
            var reason = e.Fault?.Exceptions.FirstOrDefault()?.Message ?? e.Message;
            return TypedResults.Problem(detail: $"the detector's pass failed: {reason}", statusCode: StatusCodes.Status500InternalServerError, title: "Detection pass failed");
        }
        catch (Exception e) when (e is MessageReturnedException || e.InnerException is MessageReturnedException)
        {
            return Problems.Unavailable("no process with the detector role is connected to the bus: start one (Roles=detector, or all) and try again");
        }
    }

    private static DateTimeOffset? Utc(DateTime? t) => t is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null;
}

/// <summary>The <c>Api</c> configuration section's detector settings.</summary>
public sealed class DetectorRunOptions
{
    /// <summary>How long <c>POST /v1/detector/run</c> waits for a detector's pass (default 5 minutes).</summary>
    public TimeSpan DetectorRunTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
