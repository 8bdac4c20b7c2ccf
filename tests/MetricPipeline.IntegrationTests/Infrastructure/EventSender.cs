using System.Net;

namespace MetricPipeline.IntegrationTests.Infrastructure;

/// <summary>
/// Posts events as the README tells a client to: a <c>503</c> means nothing of the batch was accepted, so the same
/// body (same ids) is sent again after <c>Retry-After</c>. On a busy machine the broker can miss the publish timeout
/// for a moment; a test that feeds data is not about that and must not fail on it.
/// </summary>
public static class EventSender
{
    /// <summary>How long a batch is re-sent before the last answer is returned as it is.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    /// <summary>Sends <paramref name="content"/> (made anew for each attempt) to <c>POST /v1/events</c>; returns the first answer that is not a 503.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient ingest, Func<HttpContent> content)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var response = await ingest.PostAsync("v1/events", content());
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                return response;
            }

            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(wait);
        }
    }
}
