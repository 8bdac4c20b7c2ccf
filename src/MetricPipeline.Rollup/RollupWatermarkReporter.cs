using MassTransit;
using MetricPipeline.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MetricPipeline.Rollup;

/// <summary>
/// Writes this worker's <see cref="RollupProgress"/> to <c>rollup_watermarks</c> every <c>Rollup:WatermarkInterval</c>
/// (one small upsert, off the batches' path), and marks the row stopped on a clean shutdown so the detector no longer
/// waits for this worker. Rows of workers gone for a day are forgotten at start.
/// </summary>
public sealed partial class RollupWatermarkReporter(
    NpgsqlDataSource dataSource, RollupProgress progress, IBusControl bus, IOptions<RollupOptions> options, TimeProvider clock,
    ILogger<RollupWatermarkReporter> logger) : BackgroundService
{
    /// <summary>This worker's row: machine-pid, as detector instances are named.</summary>
    public static string Instance { get; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    private DateTime? reported;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RollupWatermarkStore.ForgetAsync(dataSource, clock.GetUtcNow().UtcDateTime.AddDays(-1), stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex);
        }

        using var timer = new PeriodicTimer(options.Value.WatermarkInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await ReportAsync(stopped: false, stoppingToken);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await ReportAsync(stopped: true, cancellationToken);
    }

    private async Task ReportAsync(bool stopped, CancellationToken ct)
    {
        var caughtUpTo = progress.CaughtUpTo(Receiving(), options.Value.WatermarkQuietPeriod) ?? reported;
        if (caughtUpTo is null)
        {
            return;
        }

        try
        {
            await RollupWatermarkStore.ReportAsync(dataSource, Instance, caughtUpTo.Value, clock.GetUtcNow().UtcDateTime, stopped, ct);
            reported = caughtUpTo;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex);
        }
    }

    /// <summary>Whether the rollup endpoint is connected and consuming (the bus, when it names no such endpoint).</summary>
    private bool Receiving()
    {
        var health = bus.CheckHealth();
        foreach (var (address, endpoint) in health.Endpoints)
        {
            if (address.TrimEnd('/').Split('?')[0].EndsWith("/rollup", StringComparison.Ordinal))
            {
                return endpoint.Status == BusHealthStatus.Healthy;
            }
        }

        return health.Status == BusHealthStatus.Healthy;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the rollup watermark; will retry at the next interval")]
    private partial void LogFailed(Exception ex);
}
