using MetricPipeline.Data;
using MetricPipeline.Detection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MetricPipeline.Api;

/// <summary>One rollup worker's last report: how far it has caught up, when it said so, and whether it still counts.</summary>
public sealed record RollupWorkerStatus(string Instance, DateTimeOffset CaughtUpTo, DateTimeOffset ReportedAt, bool Active, bool Stopped);

/// <summary>
/// The rollup's watermark (every accepted event before it is in the buckets; null when no worker has reported), its lag
/// behind the clock, whether that is more than <c>Detector:RollupLagWarning</c>, and the workers' reports.
/// </summary>
public sealed record RollupStatus(DateTimeOffset? Watermark, double LagSeconds, bool Behind, IReadOnlyList<RollupWorkerStatus> Workers);

/// <summary>The newest pass: as of when, what it read through, the watermark it saw, and what it did.</summary>
public sealed record DetectorRunStatus(
    long Run, string Trigger, string Instance, DateTimeOffset AsOf, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
    DateTimeOffset? ReadThrough, DateTimeOffset? RollupWatermark, int Nodes, int AlertsOpened, int AlertsResolved);

/// <summary>What a pass run now would read through (<c>min(now, watermark) − Detector:SettleDelay</c>), the rollup's state and the last pass.</summary>
public sealed record DetectorStatus(DateTimeOffset ReadThrough, double SettleDelaySeconds, RollupStatus Rollup, DetectorRunStatus? LastRun);

/// <summary><c>GET /v1/detector/status</c>: whether passes see fresh buckets — the rollup watermark and the newest pass.</summary>
public static class DetectorStatusApi
{
    public static IEndpointRouteBuilder MapDetectorStatusApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/detector/status", GetAsync);
        return app;
    }

    private static async Task<Ok<DetectorStatus>> GetAsync(
        NpgsqlDataSource dataSource, MetricPipelineDbContext db, IOptions<DetectorOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var settings = options.Value;
        var watermark = await RollupWatermarkStore.ReadAsync(dataSource, now, ct);
        var lag = watermark.Lag(now);
        var rollup = new RollupStatus(
            Utc(watermark.CaughtUpTo), Math.Round(lag.TotalSeconds, 1), lag > settings.RollupLagWarning,
            [.. watermark.Workers.Select(w => new RollupWorkerStatus(w.Instance, Utc(w.CaughtUpTo), Utc(w.ReportedAt), w.Active(now), w.Stopped))]);
        var last = await db.DetectorRuns.AsNoTracking().OrderByDescending(r => r.Id).FirstOrDefaultAsync(ct);
        var lastRun = last is null ? null : new DetectorRunStatus(
            last.Id, last.Trigger, last.Instance, last.AsOf, last.StartedAt, last.FinishedAt, last.ReadThrough, last.RollupWatermark,
            last.Nodes, last.AlertsOpened, last.AlertsResolved);
        var readThrough = PassWatermark.ReadThrough(now, watermark.CaughtUpTo, settings.SettleDelay);
        return TypedResults.Ok(new DetectorStatus(Utc(readThrough), settings.SettleDelay.TotalSeconds, rollup, lastRun));
    }

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

    private static DateTimeOffset? Utc(DateTime? t) => t is { } v ? Utc(v) : null;
}
