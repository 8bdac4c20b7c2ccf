using System.Globalization;
using System.Text;
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
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/v1/metrics/{key}/segments", SegmentsAsync)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<HistoryResponse>, ContentHttpResult, ProblemHttpResult>> SeriesAsync(
        string key, HttpRequest request, MetricStore store, SeriesReader reader, HistoryAnalysisCache analyses, MetricPipelineDbContext db, TimeProvider clock,
        CancellationToken ct)
    {
        var all = await store.AllAsync(ct);
        var metric = all.Find(m => m.Key == key);
        if (metric is null)
        {
            return Problems.NotFound($"no metric '{key}' in the registry");
        }

        if (!SeriesQuery.TryParse(request.Query, metric, clock.GetUtcNow().UtcDateTime, out var query, out var queryError))
        {
            return Problems.BadRequest(queryError!);
        }

        var (grain, from, to, segment, include) = query;
        if (!RollingWindow.TryParse(request.Query["window"].ToString(), grain, out var window, out var windowError))
        {
            return Problems.BadRequest(windowError!);
        }

        var (alignedFrom, alignedTo) = SeriesReader.Align(from, to, grain);
        if ((alignedTo - alignedFrom) / BucketGrain.Width(grain) > SeriesReader.MaxPoints)
        {
            return Problems.BadRequest($"that range holds more than {SeriesReader.MaxPoints} {RegistryNames.Of(grain)} buckets: narrow it or use a coarser grain");
        }

        var points = await reader.ReadAsync(metric, k => all.Find(m => m.Key == k), grain, from, to, segment, window, ct);
        var decomposition = include.Contains("decomposition") ? analyses.Decomposition(metric, grain, segment, alignedFrom, alignedTo, points) : null;
        var history = new List<HistoryPoint>(points.Count);
        for (var i = 0; i < points.Count; i++)
        {
            history.Add(new HistoryPoint(points[i].T, points[i].Value, decomposition?.Trend[i], decomposition?.Seasonal[i], decomposition?.Remainder[i]));
        }

        if (Accepts(request, "text/csv"))
        {
            return TypedResults.Text(ToCsv(history, decomposition is not null), "text/csv; charset=utf-8", Encoding.UTF8);
        }

        var (changePoints, anomalies) = include.Contains("changepoints") || include.Contains("anomalies")
            ? analyses.Markers(metric, grain, segment, alignedFrom, alignedTo, points)
            : ([], []);
        var deployments = new List<DeploymentMarker>();
        if (include.Contains("deployments"))
        {
            var start = new DateTimeOffset(alignedFrom, TimeSpan.Zero);
            var end = new DateTimeOffset(alignedTo, TimeSpan.Zero);
            deployments = SeriesMarkers.Deployments(await db.Deployments.AsNoTracking().Where(d => d.StartedAt >= start && d.StartedAt < end).ToListAsync(ct), metric, all);
        }

        return TypedResults.Ok(new HistoryResponse(
            metric.Key, RegistryNames.Of(grain), segment, alignedFrom, alignedTo, history,
            include.Contains("changepoints") ? changePoints : [],
            include.Contains("anomalies") ? anomalies : [],
            deployments));
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

    private static bool Accepts(HttpRequest request, string mediaType) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains(mediaType, StringComparison.OrdinalIgnoreCase));

    private static string ToCsv(List<HistoryPoint> points, bool withDecomposition)
    {
        var sb = new StringBuilder(points.Count * 48);
        sb.Append(withDecomposition ? "t,value,trend,seasonal,remainder\n" : "t,value\n");
        foreach (var p in points)
        {
            sb.Append(p.T.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(',').Append(Number(p.Value));
            if (withDecomposition)
            {
                sb.Append(',').Append(Number(p.Trend)).Append(',').Append(Number(p.Seasonal)).Append(',').Append(Number(p.Remainder));
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    private static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";
}
