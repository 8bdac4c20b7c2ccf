using MetricPipeline.Alerting;
using MetricPipeline.Data;
using MetricPipeline.Data.Entities;
using MetricPipeline.Detection;
using Microsoft.EntityFrameworkCore;

namespace MetricPipeline.Server.Extensions;

/// <summary>
/// Slack's buttons acting through the same <see cref="AlertLifecycle"/> as <c>POST /v1/alerts/{id}/acknowledge</c>
/// and <c>…/resolve</c>, with the same rules. "Expected — known change" records the change as a known
/// intervention (an <c>external</c> deployment at the alert's change time, scoped to its metric), which is what
/// the detector and the alerts correlate with, and acknowledges the alert. Who clicked is kept in the history.
/// </summary>
internal sealed class SlackAlertActions(MetricPipelineDbContext db, AlertLifecycle lifecycle, TimeProvider clock) : IAlertActions
{
    public async Task<(AlertActionOutcome Outcome, string Detail)> ActAsync(Guid alertId, string actionId, string actor, CancellationToken ct)
    {
        if (await db.Alerts.SingleOrDefaultAsync(a => a.Id == alertId, ct) is not { } alert)
        {
            return (AlertActionOutcome.NotFound, $"no alert {alertId}");
        }

        switch (actionId)
        {
            case AlertButtons.Acknowledge when alert.Status == AlertStatus.Resolved:
                return (AlertActionOutcome.Refused, "already resolved; there is nothing to acknowledge");
            case AlertButtons.Acknowledge:
                return await WithActorAsync(alert, "acknowledged", actor, () => lifecycle.AcknowledgeAsync(alert, ct));
            case AlertButtons.Resolve:
                return await WithActorAsync(alert, "resolved", actor, () => lifecycle.ResolveAsync(alert, $"resolved by {actor} in Slack", ct));
            case AlertButtons.Expected:
                if (await db.AlertHistory.AnyAsync(h => h.AlertId == alertId && h.Event == "expected", ct))
                {
                    return (AlertActionOutcome.AlreadyDone, "already marked as expected");
                }

                var now = clock.GetUtcNow();
                var known = new Deployment
                {
                    Id = Guid.CreateVersion7(),
                    Service = "slack",
                    Version = $"expected-{alert.Id:N}",
                    Kind = "external",
                    StartedAt = alert.ChangeAt,
                    Description = $"Marked as an expected change in Slack by {actor}",
                    Metrics = [alert.MetricKey],
                    CreatedAt = now,
                };
                db.Deployments.Add(known);
                db.AlertHistory.Add(new AlertHistory { AlertId = alert.Id, At = now, Event = "expected", Detail = $"known change, recorded as deployment {known.Id}" });
                db.AlertHistory.Add(new AlertHistory { AlertId = alert.Id, At = now, Event = "slack_action", Detail = $"expected by {actor}" });
                await db.SaveChangesAsync(ct);
                if (alert.Status == AlertStatus.Open)
                {
                    await lifecycle.AcknowledgeAsync(alert, ct);
                }

                return (AlertActionOutcome.Done, $"recorded as deployment {known.Id}");
            default:
                return (AlertActionOutcome.Refused, $"unknown action {actionId}");
        }
    }

    /// <summary>
    /// Who clicked goes in the same transaction as the change (the lifecycle saves what the context tracks),
    /// so the thread reply that announces the change can always name them.
    /// </summary>
    private async Task<(AlertActionOutcome, string)> WithActorAsync(Alert alert, string verb, string actor, Func<Task<bool>> act)
    {
        var who = db.AlertHistory.Add(new AlertHistory { AlertId = alert.Id, At = clock.GetUtcNow(), Event = "slack_action", Detail = $"{verb} by {actor}" });
        if (await act())
        {
            return (AlertActionOutcome.Done, verb);
        }

        who.State = EntityState.Detached;
        return (AlertActionOutcome.AlreadyDone, $"already {verb}");
    }
}
