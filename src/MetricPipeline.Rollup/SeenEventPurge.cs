using MetricPipeline.Data;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MetricPipeline.Rollup;

/// <summary>Forgets event ids older than the de-duplication retention, hourly, in small chunks.</summary>
public sealed class SeenEventPurge(
    NpgsqlDataSource dataSource, IOptions<RollupOptions> options, TimeProvider clock, ILogger<SeenEventPurge> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), clock);
        do
        {
            try
            {
                var cutoff = clock.GetUtcNow().UtcDateTime - options.Value.DedupeRetention;
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                int deleted, total = 0;
                do
                {
                    deleted = await RollupStore.PurgeSeenEventsAsync(connection, cutoff, 10_000, stoppingToken);
                    total += deleted;
                }
                while (deleted > 0 && !stoppingToken.IsCancellationRequested);

                if (total > 0)
                {
                    logger.LogInformation("Forgot {Count} event ids accepted before {Cutoff:o}", total, cutoff);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Purging old event ids failed; will retry in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
