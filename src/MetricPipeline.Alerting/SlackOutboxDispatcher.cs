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
/// Posts due alerts to Slack from the <see cref="SlackOutbox"/>, polling every
/// <see cref="SlackOptions.PollInterval"/> or at once when <see cref="SlackOutboxSignal.Wake"/> is called.
/// </summary>
/// <remarks>
/// Exactly once, with one honest caveat: Slack's incoming webhooks take no idempotency key, so if
/// this process dies after Slack answered 200 but before the <c>delivered</c> row is committed, the
/// row is claimed again when its lease expires and the message is posted a second time. The window
/// is kept to the single UPDATE that follows the response. Everything else — retries, restarts,
/// several dispatchers side by side — posts each alert once.
/// </remarks>
public sealed class SlackOutboxDispatcher(
    NpgsqlDataSource dataSource,
    IServiceScopeFactory scopes,
    SlackOutboxSignal signal,
    IOptions<SlackOptions> options,
    IOptions<DeploymentCorrelationOptions> correlation,
    TimeProvider clock,
    ILogger<SlackOutboxDispatcher> logger) : BackgroundService
{
    /// <summary>Webhooks that answered 429, and when they may be tried again (this process's memory only).</summary>
    private readonly Dictionary<Uri, DateTimeOffset> rateLimited = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        logger.LogInformation(
            "Slack outbox dispatcher started: default route {Route}, poll every {Poll}, {MaxAttempts} attempts at most",
            SlackRoute.For(new MetricDefinition { Key = "-", Name = "-" }, o.WebhookUrl), o.PollInterval, o.MaxAttempts);
        await SlackPolling.RunAsync(DispatchDueAsync, signal, o, logger, "Slack outbox round", stoppingToken);
    }

    /// <summary>Claims one batch of due alerts and posts them one by one; returns how many were claimed.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct)
    {
        var o = options.Value;
        var claims = await SlackOutbox.ClaimAsync(dataSource, o.BatchSize, o.Lease, ct);
        if (claims.Count == 0)
        {
            return 0;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MetricPipelineDbContext>();
        var ids = claims.ConvertAll(c => c.AlertId);
        Dictionary<Guid, Alert> alerts;
        Dictionary<string, MetricDefinition> metrics;
        Dictionary<Guid, long> marks = [];
        try
        {
            // Read before the alerts: a change recorded after this mark is edited into the message later.
            marks = o.AppMode ? await SlackAppSync.HistoryMarksAsync(dataSource, ids, ct) : marks;
            alerts = await db.Alerts.AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
            metrics = (await db.Metrics.AsNoTracking().ToListAsync(ct)).ConvertAll(MetricStore.Deserialize).ToDictionary(m => m.Key);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await ReleaseAsync(claims);
            throw;
        }

        var names = metrics.Values.ToDictionary(m => m.Key, m => m.Name);
        for (var i = 0; i < claims.Count; i++)
        {
            if (ct.IsCancellationRequested)
            {
                // Shutting down: hand the rest back at once rather than leave them to the lease.
                await ReleaseAsync(claims.Skip(i));
                break;
            }

            if (alerts.TryGetValue(claims[i].AlertId, out var alert))
            {
                var metric = metrics.GetValueOrDefault(alert.MetricKey) ?? new MetricDefinition { Key = alert.MetricKey, Name = alert.MetricKey };
                await DispatchAsync(scope.ServiceProvider, claims[i], alert, metric, names, marks.GetValueOrDefault(alert.Id));
            }
        }

        return claims.Count;
    }

    private async Task ReleaseAsync(IEnumerable<SlackClaim> claims)
    {
        foreach (var claim in claims)
        {
            await SlackOutbox.ReleaseAsync(dataSource, claim, TimeSpan.Zero, CancellationToken.None);
        }
    }

    private async Task DispatchAsync(
        IServiceProvider services, SlackClaim claim, Alert alert, MetricDefinition metric,
        IReadOnlyDictionary<string, string> names, long historyMark)
    {
        var o = options.Value;
        var route = o.AppMode ? new SlackRoute(null, "Slack app", null) : SlackRoute.For(metric, o.WebhookUrl);
        if (claim.Attempt > o.MaxAttempts)
        {
            // Only a claim that never finished (its process died each time) gets here.
            await SlackOutbox.FailedAsync(dataSource, claim, $"gave up: {o.MaxAttempts} attempts used without an answer recorded", CancellationToken.None);
            logger.LogError("Alert {AlertId} ({Metric}) not posted: {MaxAttempts} attempts used", alert.Id, alert.MetricKey, o.MaxAttempts);
            return;
        }

        if (route.Problem is { } problem)
        {
            await SlackOutbox.FailedAsync(dataSource, claim, problem, CancellationToken.None);
            logger.LogError("Alert {AlertId} ({Metric}) not posted: {Problem}", alert.Id, alert.MetricKey, problem);
            return;
        }

        var message = AlertMessageBuilder.Build(alert, metric, names, o.DashboardBaseUrl ?? AlertingExtensions.DefaultDashboardBaseUrl, correlation.Value.CorrelationLag);
        if (o.AppMode)
        {
            await PostToAppAsync(services.GetRequiredService<SlackWebApiClient>(), claim, alert, metric, SlackAppSync.WithButtons(message, alert), historyMark);
            return;
        }

        if (route.Webhook is not { } webhook)
        {
            await SlackOutbox.NotConfiguredAsync(dataSource, claim, "no Slack webhook configured", CancellationToken.None);
            logger.LogWarning(
                "No Slack webhook configured (set Slack__WebhookUrl or the metric's alert.slackWebhook); alert {AlertId} is stored, not posted: {Text}",
                alert.Id, message.Text);
            return;
        }

        if (rateLimited.TryGetValue(webhook, out var until) && until > clock.GetUtcNow())
        {
            await SlackOutbox.ReleaseAsync(dataSource, claim, until - clock.GetUtcNow(), CancellationToken.None);
            return;
        }

        // A post in flight is not cancelled on shutdown (it ends within AttemptTimeout, inside the host's
        // shutdown window): cutting it off after Slack got it would mean posting it again later.
        var result = await services.GetRequiredService<SlackWebhookClient>().PostAsync(webhook, message, CancellationToken.None);

        // Recorded at once and without cancellation: the shorter this gap, the smaller the double-post window.
        await RecordAsync(claim, alert, route.ToString(), webhook, result,
            () => SlackOutbox.DeliveredAsync(dataSource, claim, $"posted to {route} on attempt {claim.Attempt}", CancellationToken.None));
    }

    /// <summary>App mode: <c>chat.postMessage</c> to the metric's channel (else the default), keeping channel and ts for later edits.</summary>
    private async Task PostToAppAsync(SlackWebApiClient client, SlackClaim claim, Alert alert, MetricDefinition metric, SlackMessage message, long historyMark)
    {
        var o = options.Value;
        var api = new Uri(o.ApiBaseUrl);
        if (rateLimited.TryGetValue(api, out var until) && until > clock.GetUtcNow())
        {
            await SlackOutbox.ReleaseAsync(dataSource, claim, until - clock.GetUtcNow(), CancellationToken.None);
            return;
        }

        var channel = metric.Alert.SlackChannel ?? o.Channel!;
        var result = await client.PostMessageAsync(channel, message, threadTs: null, CancellationToken.None);
        var route = $"Slack app, channel {channel}";
        await RecordAsync(claim, alert, route, api, new SlackDelivery(result.Outcome, result.Status, result.Error, result.RetryAfter),
            () => SlackAppSync.PostedAsync(dataSource, claim, result.Posted, historyMark, $"posted to {route} on attempt {claim.Attempt}"));
    }

    private async Task RecordAsync(SlackClaim claim, Alert alert, string route, Uri rateKey, SlackDelivery result, Func<Task<bool>> delivered)
    {
        var o = options.Value;
        switch (result.Outcome)
        {
            case SlackOutcome.Delivered:
                if (!await delivered())
                {
                    logger.LogWarning("Alert {AlertId} was posted again after another dispatcher had already recorded it as delivered", alert.Id);
                }

                logger.LogInformation("Posted alert {AlertId} ({Metric}) to {Route} on attempt {Attempt}", alert.Id, alert.MetricKey, route, claim.Attempt);
                break;

            case SlackOutcome.Permanent:
                await SlackOutbox.FailedAsync(dataSource, claim, result.Error ?? "refused", CancellationToken.None);
                logger.LogError("Slack refused alert {AlertId} ({Metric}) at {Route}: {Error}; not retrying", alert.Id, alert.MetricKey, route, result.Error);
                break;

            case SlackOutcome.RateLimited or SlackOutcome.Transient when claim.Attempt >= o.MaxAttempts:
                await SlackOutbox.FailedAsync(dataSource, claim, $"gave up after {claim.Attempt} attempts; last: {result.Error}", CancellationToken.None);
                logger.LogError("Alert {AlertId} ({Metric}) not posted to {Route} after {Attempts} attempts; last error: {Error}",
                    alert.Id, alert.MetricKey, route, claim.Attempt, result.Error);
                break;

            case SlackOutcome.RateLimited:
                var wait = result.RetryAfter ?? o.DefaultRetryAfter;
                rateLimited[rateKey] = clock.GetUtcNow() + wait;
                await SlackOutbox.RetryLaterAsync(dataSource, claim, wait, result.Error ?? "HTTP 429", CancellationToken.None);
                logger.LogWarning("Slack rate-limited alert {AlertId} at {Route}; retrying in {Wait}", alert.Id, route, wait);
                break;

            default:
                var delay = RetryBackoff.Delay(claim.Attempt, o.BaseBackoff, o.MaxBackoff, Random.Shared.NextDouble());
                await SlackOutbox.RetryLaterAsync(dataSource, claim, delay, result.Error ?? "transient failure", CancellationToken.None);
                logger.LogWarning("Posting alert {AlertId} to {Route} failed on attempt {Attempt} ({Error}); retrying in {Delay}",
                    alert.Id, route, claim.Attempt, result.Error, delay);
                break;
        }
    }
}
