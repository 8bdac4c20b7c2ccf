using MetricPipeline.Data;
using MetricPipeline.Data.Alerts;
using MetricPipeline.Data.Entities;
using MetricPipeline.Registry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace MetricPipeline.Alerting;

/// <summary>
/// Slack app mode: brings posted alert messages up to date. For each alert that changed since its
/// message was last edited (see <see cref="SlackAppSync"/>) it edits the message in place with
/// <c>chat.update</c>, then replies in its thread with what changed, then records the change as done.
/// Runs beside <see cref="SlackOutboxDispatcher"/>.
/// </summary>
/// <remarks>
/// The edit is idempotent, so a retry after it only repeats it. The reply is not: as with the first
/// post, a process that dies after Slack took the reply but before the change is recorded as done
/// posts that reply again. Everything else — 5xx, 429, restarts, several dispatchers — replies once.
/// </remarks>
public sealed class SlackAppSyncDispatcher(
    NpgsqlDataSource dataSource,
    IServiceScopeFactory scopes,
    IOptions<SlackOptions> options,
    IOptions<DeploymentCorrelationOptions> correlation,
    TimeProvider clock,
    ILogger<SlackAppSyncDispatcher> logger) : BackgroundService
{
    /// <summary>Its own wake-up: the outbox's signal wakes one waiter, and that should stay the outbox dispatcher.</summary>
    private readonly SlackOutboxSignal signal = new();

    private DateTimeOffset rateLimitedUntil = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.AppMode)
        {
            return;
        }

        await SlackPolling.RunAsync(SyncDueAsync, signal, o, logger, "Slack message update round", stoppingToken);
    }

    /// <summary>Starts a round now instead of at the next poll (a button was clicked).</summary>
    public void Wake() => signal.Wake();

    public override void Dispose()
    {
        signal.Dispose();
        base.Dispose();
    }

    /// <summary>Claims one batch of changed alerts and brings their messages up to date; returns how many were claimed.</summary>
    public async Task<int> SyncDueAsync(CancellationToken ct)
    {
        var o = options.Value;
        if (rateLimitedUntil > clock.GetUtcNow())
        {
            return 0;
        }

        var claims = await SlackAppSync.ClaimAsync(dataSource, o.BatchSize, o.Lease, ct);
        if (claims.Count == 0)
        {
            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MetricPipelineDbContext>();
        var client = scope.ServiceProvider.GetRequiredService<SlackWebApiClient>();
        var metrics = (await db.Metrics.AsNoTracking().ToListAsync(ct)).ConvertAll(MetricStore.Deserialize).ToDictionary(m => m.Key);
        var names = metrics.Values.ToDictionary(m => m.Key, m => m.Name);
        foreach (var claim in claims)
        {
            if (ct.IsCancellationRequested || rateLimitedUntil > clock.GetUtcNow())
            {
                await SlackAppSync.ReleaseAsync(dataSource, claim, rateLimitedUntil > clock.GetUtcNow() ? rateLimitedUntil - clock.GetUtcNow() : TimeSpan.Zero);
                continue;
            }

            // Changes first, then the alert: whatever the message shows is at least as new as the mark recorded.
            var alertRow = await db.Alerts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == claim.AlertId, ct);
            if (alertRow is null)
            {
                continue;
            }

            var changes = await SlackAppSync.ChangesAsync(dataSource, claim.AlertId, alertRow.SlackSyncedHistoryId, ct);
            var alert = await db.Alerts.AsNoTracking().SingleAsync(a => a.Id == claim.AlertId, ct);
            var metric = metrics.GetValueOrDefault(alert.MetricKey) ?? new MetricDefinition { Key = alert.MetricKey, Name = alert.MetricKey };
            await SyncAsync(client, claim, alert, metric, names, changes);
        }

        return claims.Count;
    }

    private async Task SyncAsync(SlackWebApiClient client, SlackClaim claim, Alert alert, MetricDefinition metric, IReadOnlyDictionary<string, string> names, List<AlertChange> changes)
    {
        var o = options.Value;
        var mark = changes.Count > 0 ? changes[^1].Id : alert.SlackSyncedHistoryId;
        if (claim.Attempt > o.MaxAttempts)
        {
            await SlackAppSync.GiveUpAsync(dataSource, claim, mark, $"gave up: {o.MaxAttempts} attempts used without an answer recorded");
            return;
        }

        var original = new SlackPosted(alert.SlackChannel!, alert.SlackTs!);
        var message = SlackAppSync.WithButtons(
            AlertMessageBuilder.Build(alert, metric, names, o.DashboardBaseUrl ?? AlertingExtensions.DefaultDashboardBaseUrl, correlation.Value.CorrelationLag), alert);
        var edited = await client.UpdateMessageAsync(original, message, CancellationToken.None);
        if (edited.Outcome != SlackOutcome.Delivered)
        {
            await RecordFailureAsync(claim, alert, mark, "chat.update", edited);
            return;
        }

        var reply = SlackThreadReply.Text(changes, alert.Id, names);
        var replied = await client.PostMessageAsync(original.Channel, new SlackMessage(reply, [new SectionBlock(SlackText.Markdown(reply))]), original.Ts, CancellationToken.None);
        if (replied.Outcome != SlackOutcome.Delivered)
        {
            await RecordFailureAsync(claim, alert, mark, "thread reply", replied);
            return;
        }

        await SlackAppSync.SyncedAsync(dataSource, claim, mark, $"message edited and replied in thread on attempt {claim.Attempt}: {SlackMarkdown.Truncate(reply.ReplaceLineEndings(" / "), 200)}");
        logger.LogInformation("Updated the Slack message of alert {AlertId} ({Metric}) on attempt {Attempt}", alert.Id, alert.MetricKey, claim.Attempt);
    }

    private async Task RecordFailureAsync(SlackClaim claim, Alert alert, long mark, string step, SlackApiResult result)
    {
        var o = options.Value;
        var error = result.Error ?? step + " failed";
        if (result.Outcome == SlackOutcome.Permanent || claim.Attempt >= o.MaxAttempts)
        {
            await SlackAppSync.GiveUpAsync(dataSource, claim, mark, error);
            logger.LogError("Slack message of alert {AlertId} ({Metric}) not updated ({Step}): {Error}; not retrying", alert.Id, alert.MetricKey, step, error);
            return;
        }

        var delay = result.Outcome == SlackOutcome.RateLimited
            ? result.RetryAfter ?? o.DefaultRetryAfter
            : RetryBackoff.Delay(claim.Attempt, o.BaseBackoff, o.MaxBackoff, Random.Shared.NextDouble());
        if (result.Outcome == SlackOutcome.RateLimited)
        {
            rateLimitedUntil = clock.GetUtcNow() + delay;
        }

        await SlackAppSync.RetryLaterAsync(dataSource, claim, delay, error);
        logger.LogWarning("Updating the Slack message of alert {AlertId} failed on attempt {Attempt} ({Step}: {Error}); retrying in {Delay}",
            alert.Id, claim.Attempt, step, error, delay);
    }
}
