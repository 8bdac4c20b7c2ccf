using MetricPipeline.Data;
using MetricPipeline.Data.Entities;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MetricPipeline.Detection;

/// <summary>
/// Where a pass stops reading: a bucket is read only once it has closed, the rollup has caught up past its end and
/// its grace period for late events has passed — buckets ending at or before <c>min(asOf, watermark) − SettleDelay</c>.
/// A pass whose rollup is behind reads up to the watermark and says so (log, <c>detector_runs.read_through</c>); a
/// rollup further behind than <see cref="DetectorOptions.RollupLagWarning"/> is logged as a warning.
/// </summary>
public static partial class PassWatermark
{
    /// <summary>The end of the newest bucket the pass may read; records it and the watermark on <paramref name="run"/>.</summary>
    public static async Task<DateTime> ReadThroughAsync(
        NpgsqlDataSource dataSource, DetectorRun run, DateTime asOf, DateTime nowUtc, DetectorOptions settings, ILogger logger, CancellationToken ct)
    {
        var watermark = await RollupWatermarkStore.ReadAsync(dataSource, nowUtc, ct);
        var readThrough = ReadThrough(asOf, watermark.CaughtUpTo, settings.SettleDelay);
        run.RollupWatermark = watermark.CaughtUpTo is { } w ? new DateTimeOffset(w, TimeSpan.Zero) : null;
        run.ReadThrough = new DateTimeOffset(readThrough, TimeSpan.Zero);
        var lag = watermark.Lag(nowUtc);
        PassTelemetry.RecordRollupLag(lag);
        if (watermark.CaughtUpTo is { } caughtUpTo && caughtUpTo < asOf)
        {
            LogHeldBack(logger, asOf, caughtUpTo, readThrough);
        }

        if (lag > settings.RollupLagWarning)
        {
            LogBehind(logger, lag.TotalMinutes, watermark.CaughtUpTo!.Value, watermark.Workers.Count(w => w.Active(nowUtc)));
        }

        return readThrough;
    }

    /// <summary><c>min(asOf, watermark) − settle</c>: late events accepted during the grace period must be rolled up too.</summary>
    public static DateTime ReadThrough(DateTime asOf, DateTime? watermark, TimeSpan settle) =>
        (watermark is { } w && w < asOf ? w : asOf) - settle;

    [LoggerMessage(Level = LogLevel.Information, Message = "Pass as of {AsOf:u} held back by the rollup watermark {Watermark:u}: buckets read up to {ReadThrough:u}")]
    private static partial void LogHeldBack(ILogger logger, DateTime asOf, DateTime watermark, DateTime readThrough);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The rollup is {Minutes:0} min behind (watermark {Watermark:u}, {Workers} worker(s) reporting): is a worker down or overloaded? Passes read only buckets the rollup has finished")]
    private static partial void LogBehind(ILogger logger, double minutes, DateTime watermark, int workers);
}
