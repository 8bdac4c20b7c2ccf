using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Alerting;

/// <summary>Where Slack put a message: the channel's ID and the message's <c>ts</c>, which <c>chat.update</c> and thread replies name.</summary>
public sealed record SlackPosted(string Channel, string Ts);

/// <param name="Outcome">The classification, as for webhooks.</param>
/// <param name="Status">HTTP status, when Slack answered.</param>
/// <param name="Error">Slack's error code (<c>channel_not_found</c>, <c>ratelimited</c>…) or what failed; never the token.</param>
/// <param name="RetryAfter">For <see cref="SlackOutcome.RateLimited"/>: Slack's Retry-After (or the default).</param>
/// <param name="Posted">For a delivered call: the message's channel and ts.</param>
public sealed record SlackApiResult(SlackOutcome Outcome, int? Status, string? Error, TimeSpan? RetryAfter = null, SlackPosted? Posted = null);

/// <summary>
/// The two Slack Web API methods app mode needs, each called once per call (retry state lives in the
/// outbox): <c>chat.postMessage</c> (a new message, or a reply when given a thread) and
/// <c>chat.update</c> (edit a message in place). Authenticates with the bot token as a bearer token.
/// </summary>
public sealed class SlackWebApiClient(HttpClient http, IOptions<SlackOptions> options, TimeProvider clock)
{
    /// <summary>Slack's <c>ok:false</c> errors that are worth another try; every other error is permanent.</summary>
    private static readonly HashSet<string> TransientErrors = ["internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org"];

    public Task<SlackApiResult> PostMessageAsync(string channel, SlackMessage message, string? threadTs, CancellationToken ct)
    {
        var payload = Payload(message);
        payload["channel"] = channel;
        if (threadTs is not null)
        {
            payload["thread_ts"] = threadTs;
        }

        return CallAsync("chat.postMessage", payload, ct);
    }

    public Task<SlackApiResult> UpdateMessageAsync(SlackPosted original, SlackMessage message, CancellationToken ct)
    {
        var payload = Payload(message);
        payload["channel"] = original.Channel;
        payload["ts"] = original.Ts;
        return CallAsync("chat.update", payload, ct);
    }

    private static JsonObject Payload(SlackMessage message) => JsonSerializer.SerializeToNode(message, SlackMessage.SerializerOptions)!.AsObject();

    private async Task<SlackApiResult> CallAsync(string method, JsonObject payload, CancellationToken ct)
    {
        var o = options.Value;
        var token = o.BotToken ?? throw new InvalidOperationException("Slack:BotToken is not set: app mode is off");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(o.ApiBaseUrl.TrimEnd('/') + "/"), method))
        {
            Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(o.AttemptTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(attempt.Token);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return new SlackApiResult(SlackOutcome.RateLimited, status, $"{method}: ratelimited (HTTP 429)", RetryAfter(response));
            }

            if (!response.IsSuccessStatusCode)
            {
                var outcome = status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout ? SlackOutcome.Transient : SlackOutcome.Permanent;
                return new SlackApiResult(outcome, status, Scrub($"{method}: HTTP {status} {response.ReasonPhrase} {SlackMarkdown.Truncate(body.ReplaceLineEndings(" "), 200)}".Trim(), token));
            }

            return Classify(method, status, body, response, token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new SlackApiResult(SlackOutcome.Transient, null, $"{method}: no answer within {o.AttemptTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            return new SlackApiResult(SlackOutcome.Transient, null, Scrub($"{method}: {ex.HttpRequestError}: {ex.Message}", token));
        }
    }

    /// <summary>Slack answers 200 with <c>{"ok": true, "channel", "ts"}</c> or <c>{"ok": false, "error": "…"}</c>.</summary>
    private SlackApiResult Classify(string method, int status, string body, HttpResponseMessage response, string token)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return new SlackApiResult(SlackOutcome.Transient, status, $"{method}: the answer is not JSON");
        }

        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True)
        {
            var channel = root.TryGetProperty("channel", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var ts = root.TryGetProperty("ts", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            return new SlackApiResult(SlackOutcome.Delivered, status, null, Posted: channel is not null && ts is not null ? new SlackPosted(channel, ts) : null);
        }

        var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String
            ? e.GetString()! : "unknown_error";
        var text = Scrub($"{method}: {error}", token);
        return error == "ratelimited" ? new SlackApiResult(SlackOutcome.RateLimited, status, text, RetryAfter(response))
            : TransientErrors.Contains(error) ? new SlackApiResult(SlackOutcome.Transient, status, text)
            : new SlackApiResult(SlackOutcome.Permanent, status, text);
    }

    private TimeSpan RetryAfter(HttpResponseMessage response) => SlackRetryAfter.From(response.Headers.RetryAfter, options.Value, clock.GetUtcNow());

    /// <summary>The token is a secret: should any text ever echo it, only its kind prefix stays.</summary>
    private static string Scrub(string text, string token) =>
        token.Length > 0 ? text.Replace(token, token[..Math.Min(5, token.Length)] + "…", StringComparison.Ordinal) : text;
}
