using System.Text.Json;
using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Alerting;

/// <summary>What a button click came to.</summary>
public enum AlertActionOutcome
{
    /// <summary>The alert changed.</summary>
    Done,

    /// <summary>Nothing to do: the alert is already in that state (a repeated click, or Slack re-sending).</summary>
    AlreadyDone,

    /// <summary>The API would refuse it too (e.g. acknowledging a resolved alert).</summary>
    Refused,

    NotFound,
}

/// <summary>Acknowledge, resolve or mark expected, with the same rules as the alerts API. Implemented by the host, which knows the alert lifecycle.</summary>
public interface IAlertActions
{
    Task<(AlertActionOutcome Outcome, string Detail)> ActAsync(Guid alertId, string actionId, string actor, CancellationToken ct);
}

/// <summary>
/// <c>POST /v1/slack/interactions</c>, the Slack app's interactivity URL. A request counts only when its
/// <c>X-Slack-Signature</c> is the HMAC of its body under the signing secret and its timestamp is within
/// <see cref="SlackOptions.SignatureWindow"/>: anything else is 401. A click on an alert's button acts on
/// the alert; the message is then edited and replied to by the app-mode dispatcher.
/// </summary>
public static class SlackInteractionsApi
{
    private const int MaxBody = 1024 * 1024;

    /// <summary>Options and the endpoint's needs on whichever role serves the alerts API.</summary>
    public static IServiceCollection AddSlackInteractions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SlackOptions>().Bind(configuration.GetSection(SlackOptions.Section));
        return services;
    }

    public static IEndpointRouteBuilder MapSlackInteractions(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/slack/interactions", InteractAsync).DisableAntiforgery().WithName("SlackInteractions")
            .Accepts<object>("application/x-www-form-urlencoded")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return app;
    }

    private static async Task<IResult> InteractAsync(
        HttpContext http, IOptions<SlackOptions> options, IAlertActions actions, TimeProvider clock, ILoggerFactory loggers, CancellationToken ct)
    {
        var o = options.Value;
        var body = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (body.Length + read > MaxBody)
            {
                return Problems.TooLarge($"an interaction payload is at most {MaxBody} bytes");
            }

            body.Write(chunk, 0, read);
        }

        var bytes = body.ToArray();
        var check = SlackSignature.Verify(
            o.SigningSecret, http.Request.Headers["X-Slack-Request-Timestamp"], http.Request.Headers["X-Slack-Signature"], bytes, clock.GetUtcNow(), o.SignatureWindow);
        var logger = loggers.CreateLogger(typeof(SlackInteractionsApi));
        switch (check)
        {
            case SignatureCheck.Missing when string.IsNullOrEmpty(o.SigningSecret):
                return Problems.Unauthorized("Slack interactions are closed: set Slack__SigningSecret to the app's signing secret");
            case SignatureCheck.Missing:
                return Problems.Unauthorized("not a signed Slack request: X-Slack-Signature and X-Slack-Request-Timestamp are required");
            case SignatureCheck.Stale:
                logger.LogWarning("Refused a Slack interaction whose timestamp is outside the {Window} window", o.SignatureWindow);
                return Problems.Unauthorized($"the request's timestamp is more than {o.SignatureWindow.TotalMinutes:0} minutes from the server's clock (a replay, or a clock far off)");
            case SignatureCheck.Mismatch:
                logger.LogWarning("Refused a Slack interaction with a wrong signature");
                return Problems.Unauthorized("the request's signature does not match the signing secret");
        }

        if (ReadClick(bytes) is not { } click)
        {
            // Signed, but not a button click on an alert (another interaction type): nothing to do.
            return TypedResults.Ok();
        }

        var (outcome, detail) = await actions.ActAsync(click.AlertId, click.ActionId, click.Actor, ct);
        logger.LogInformation("Slack {Action} on alert {AlertId} by {Actor}: {Outcome} {Detail}", click.ActionId, click.AlertId, click.Actor, outcome, detail);
        http.RequestServices.GetService<SlackAppSyncDispatcher>()?.Wake();
        return TypedResults.Ok();
    }

    private sealed record Click(Guid AlertId, string ActionId, string Actor);

    /// <summary>The form field <c>payload</c>: <c>{"type": "block_actions", "user": {…}, "actions": [{"action_id", "value"}]}</c>.</summary>
    private static Click? ReadClick(byte[] body)
    {
        var form = QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(body));
        if (!form.TryGetValue("payload", out var payload) || payload.Count == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(payload[0]!);
            var root = document.RootElement;
            if (!root.TryGetProperty("type", out var type) || type.GetString() != "block_actions"
                || !root.TryGetProperty("actions", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            {
                return null;
            }

            var action = list[0];
            var actionId = action.TryGetProperty("action_id", out var a) ? a.GetString() : null;
            var value = action.TryGetProperty("value", out var v) ? v.GetString() : null;
            if (actionId is not (AlertButtons.Acknowledge or AlertButtons.Resolve or AlertButtons.Expected) || !Guid.TryParse(value, out var alertId))
            {
                return null;
            }

            var user = root.TryGetProperty("user", out var u) && u.ValueKind == JsonValueKind.Object ? u : default;
            var name = user.ValueKind == JsonValueKind.Object
                ? (user.TryGetProperty("username", out var un) ? un.GetString() : null) ?? (user.TryGetProperty("name", out var n) ? n.GetString() : null)
                    ?? (user.TryGetProperty("id", out var id) ? id.GetString() : null)
                : null;
            return new Click(alertId, actionId, "@" + (name ?? "someone"));
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
