using MetricPipeline.Data;
using MetricPipeline.Registry;
using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace MetricPipeline.Api;

public sealed record HistoryPoint(DateTime T, double? Value, double? Trend, double? Seasonal, double? Remainder);

public sealed record HistoryResponse(
    string Metric, string Grain, string Segment, DateTime From, DateTime To, IReadOnlyList<HistoryPoint> Points,
    IReadOnlyList<ChangePointMarker> ChangePoints, IReadOnlyList<AnomalyMarker> Anomalies, IReadOnlyList<DeploymentMarker> Deployments);

public sealed record SegmentTotal(string Segment, string? Dimension, string? Value, double? Total);

public sealed record SegmentTotals(string Metric, DateTime From, DateTime To, IReadOnlyList<SegmentTotal> Segments);

/// <summary>Metric history: <c>/series</c> (JSON or CSV) and <c>/segments</c>.</summary>
public static class HistoryApi
{
    /// <remarks><c>window=7d</c> (with a grain): each point is the value over the 7 days ending with its bucket.</remarks>
    public static IEndpointRouteBuilder MapHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/metrics/{key}/series", SeriesAsync)
            .Produces<HistoryResponse>(StatusCodes.Status200OK, "application/json", "text/csv")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/v1/metrics/{key}/segments", SegmentsAsync)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <remarks>
    /// The answer comes as finished bytes from <see cref="HistoryAnswers"/> (with an entity tag, so a client that has it
    /// gets 304). A metric or segment the in-memory registry does not know is looked up again before the 404 or 400.
    /// </remarks>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> SeriesAsync(
        string key, HttpRequest request, RegistrySnapshot registry, HistoryAnswers answers, TimeProvider clock)
    {
        var all = await registry.GetAsync();
        var asked = Ask(key, request, all, clock.GetUtcNow().UtcDateTime);
        if (asked.Problem is not null)
        {
            all = await registry.ReloadAsync();
            asked = Ask(key, request, all, clock.GetUtcNow().UtcDateTime);
        }

        if (asked.Problem is { } problem)
        {
            return problem;
        }

        var answer = await answers.GetAsync(asked.Key, asked.Metric!, all);
        request.HttpContext.Response.Headers.Vary = "Accept, Accept-Encoding";
        if (AcceptsGzip(request))
        {
            request.HttpContext.Response.Headers.ContentEncoding = "gzip";
            return TypedResults.Bytes(answer.Gzipped, answer.ContentType, entityTag: answer.GzippedETag);
        }

        return TypedResults.Bytes(answer.Body, answer.ContentType, entityTag: answer.ETag);
    }

    private sealed record Asked(HistoryKey Key, MetricDefinition? Metric, ProblemHttpResult? Problem);

    /// <summary>The request read against the registry: the answer's key, or the problem to send.</summary>
    private static Asked Ask(string key, HttpRequest request, IReadOnlyList<MetricDefinition> all, DateTime now)
    {
        var metric = all.FirstOrDefault(m => m.Key == key);
        if (metric is null)
        {
            return new Asked(default, null, Problems.NotFound($"no metric '{key}' in the registry"));
        }

        if (!SeriesQuery.TryParse(request.Query, metric, now, out var query, out var queryError))
        {
            return new Asked(default, metric, Problems.BadRequest(queryError!));
        }

        var (grain, from, to, segment, include) = query;
        if (!RollingWindow.TryParse(request.Query["window"].ToString(), grain, out var window, out var windowError))
        {
            return new Asked(default, metric, Problems.BadRequest(windowError!));
        }

        var (alignedFrom, alignedTo) = SeriesReader.Align(from, to, grain);
        if ((alignedTo - alignedFrom) / BucketGrain.Width(grain) > SeriesReader.MaxPoints)
        {
            return new Asked(default, metric, Problems.BadRequest($"that range holds more than {SeriesReader.MaxPoints} {RegistryNames.Of(grain)} buckets: narrow it or use a coarser grain"));
        }

        var flags = HistoryIncludes.None;
        foreach (var name in include)
        {
            flags |= name switch
            {
                "decomposition" => HistoryIncludes.Decomposition,
                "changepoints" => HistoryIncludes.ChangePoints,
                "anomalies" => HistoryIncludes.Anomalies,
                "deployments" => HistoryIncludes.Deployments,
                _ => HistoryIncludes.None,
            };
        }

        return new Asked(new HistoryKey(metric.Key, grain, segment, alignedFrom, alignedTo, window, flags, Accepts(request, "text/csv")), metric, null);
    }

    private static async Task<Results<Ok<SegmentTotals>, ProblemHttpResult>> SegmentsAsync(
        string key, HttpRequest request, MetricStore store, SeriesReader reader, TimeProvider clock, CancellationToken ct)
    {
        var all = await store.AllAsync(ct);
        var metric = all.Find(m => m.Key == key);
        if (metric is null)
        {
            return Problems.NotFound($"no metric '{key}' in the registry");
        }

        if (!SeriesQuery.TryRange(request.Query, clock.GetUtcNow().UtcDateTime, SeriesQuery.DefaultSpan(metric.Grain), out var from, out var to, out var rangeError))
        {
            return Problems.BadRequest(rangeError!);
        }

        var totals = await reader.SegmentTotalsAsync(metric, k => all.Find(m => m.Key == k), from, to, ct);
        var rows = totals
            .Select(t => t.Segment.Split('=', 2) is [var d, var v] ? new SegmentTotal(t.Segment, d, v, t.Total) : new SegmentTotal(t.Segment, null, null, t.Total))
            .OrderBy(r => r.Dimension is null ? 0 : 1)
            .ThenBy(r => r.Dimension, StringComparer.Ordinal)
            .ThenByDescending(r => r.Total ?? double.MinValue)
            .ToList();
        return TypedResults.Ok(new SegmentTotals(metric.Key, from, to, rows));
    }

    private static bool AcceptsGzip(HttpRequest request) =>
        request.Headers.AcceptEncoding.Any(e => e is not null && e.Split(',').Any(c => c.Split(';')[0].Trim().Equals("gzip", StringComparison.OrdinalIgnoreCase) && !c.Replace(" ", "", StringComparison.Ordinal).EndsWith(";q=0", StringComparison.Ordinal)));

    private static bool Accepts(HttpRequest request, string mediaType) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains(mediaType, StringComparison.OrdinalIgnoreCase));
}
