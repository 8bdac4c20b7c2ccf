using Microsoft.Extensions.Logging;

namespace MetricPipeline.Alerting;

/// <summary>The dispatchers' loop: a round, then (unless the round was full) a wait for a wake or the poll interval.</summary>
public static class SlackPolling
{
    /// <param name="round">One round; returns how many rows it claimed.</param>
    /// <param name="what">What a failed round is called in the log ("Slack outbox round").</param>
    public static async Task RunAsync(
        Func<CancellationToken, Task<int>> round, SlackOutboxSignal signal, SlackOptions options, ILogger logger, string what, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = await round(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "{What} failed; trying again in {Interval}", what, options.PollInterval);
            }

            if (claimed < options.BatchSize)
            {
                try
                {
                    await signal.WaitAsync(options.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }
}
