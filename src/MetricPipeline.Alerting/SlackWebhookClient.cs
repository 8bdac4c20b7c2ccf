using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MetricPipeline.Registry;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Alerting;

/// <summary>
/// Posts one message to an incoming webhook, once, and says what came of it. It never retries:
/// retry state lives in the outbox (the alert row) so that a restart loses none of it.
/// </summary>
public sealed class SlackWebhookClient(HttpClient http, IOptions<SlackOptions> options, TimeProvider clock, WebhookPolicy policy)
{
    private const int MaxErrorBody = 200;

    public async Task<SlackDelivery> PostAsync(Uri webhook, SlackMessage message, CancellationToken ct)
    {
        // Checked again at send time: the setting or the stored URL may predate the policy, or the policy may have changed.
        if (policy.Problem(webhook.OriginalString) is { } notAllowed)
        {
            return new SlackDelivery(SlackOutcome.Permanent, null, $"the webhook URL {notAllowed}");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, webhook)
        {
            Content = new StringContent(message.ToJson(), Encoding.UTF8, "application/json"),
        };

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(options.Value.AttemptTimeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new SlackDelivery(SlackOutcome.Delivered, status, null);
            }

            var body = await ReadSnippetAsync(response, attempt.Token);
            var error = WebhookRedaction.Scrub($"HTTP {status} {response.ReasonPhrase}{(body.Length > 0 ? ": " + body : "")}", webhook);
            return response.StatusCode switch
            {
                HttpStatusCode.TooManyRequests => new SlackDelivery(SlackOutcome.RateLimited, status, error, RetryAfter(response.Headers.RetryAfter)),
                HttpStatusCode.RequestTimeout => new SlackDelivery(SlackOutcome.Transient, status, error),
                _ when status >= 500 => new SlackDelivery(SlackOutcome.Transient, status, error),
                _ => new SlackDelivery(SlackOutcome.Permanent, status, error),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new SlackDelivery(SlackOutcome.Transient, null, $"no answer within {options.Value.AttemptTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookAddressRefusedException refused)
        {
            return new SlackDelivery(SlackOutcome.Permanent, null, refused.Message);
        }
        catch (HttpRequestException ex)
        {
            return new SlackDelivery(SlackOutcome.Transient, null, WebhookRedaction.Scrub($"{ex.HttpRequestError}: {ex.Message}", webhook));
        }
    }

    private TimeSpan RetryAfter(RetryConditionHeaderValue? header) => SlackRetryAfter.From(header, options.Value, clock.GetUtcNow());

    /// <summary>Slack explains a refusal in a short text body (<c>invalid_payload</c>, <c>no_service</c>); keep its start.</summary>
    private static async Task<string> ReadSnippetAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            body = body.ReplaceLineEndings(" ").Trim();
            return SlackMarkdown.Truncate(body, MaxErrorBody);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return "";
        }
    }
}
