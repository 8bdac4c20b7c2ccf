using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MetricPipeline.Testing;

/// <summary>
/// A real HTTP server on 127.0.0.1 standing in for Slack's incoming webhook: it answers from a
/// script (then 200 "ok" once the script runs out) and records every request it received.
/// </summary>
public sealed class SlackWebhookServer : IAsyncDisposable
{
    /// <summary>The secret part of the webhook URLs the tests use; it must never show up in logs.</summary>
    public const string SecretPath = "/services/T0TEST/B0TEST/s3cr3tW3bh00kT0k3n";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<Reply> script;
    private readonly ConcurrentQueue<Received> received = new();

    /// <param name="Status">HTTP status to answer.</param>
    /// <param name="Body">Response text (Slack answers "ok", or an error code such as "invalid_payload").</param>
    /// <param name="RetryAfter">Raw Retry-After header value, e.g. "1" or an HTTP date.</param>
    /// <param name="Delay">Wait before answering.</param>
    public sealed record Reply(int Status, string Body = "ok", string? RetryAfter = null, TimeSpan Delay = default);

    /// <summary>A request as it arrived: when, where, what, and what it was answered with.</summary>
    public sealed record Received(DateTimeOffset At, string Path, string Body, int Status);

    private SlackWebhookServer(WebApplication app, IEnumerable<Reply> replies)
    {
        this.app = app;
        script = new ConcurrentQueue<Reply>(replies);
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The webhook URL: <see cref="BaseUrl"/> + <see cref="SecretPath"/> (+ a suffix to tell routes apart).</summary>
    public Uri Webhook(string suffix = "") => new(BaseUrl, SecretPath + suffix);

    public IReadOnlyList<Received> Requests => [.. received];

    public static async Task<SlackWebhookServer> StartAsync(params Reply[] replies)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new SlackWebhookServer(app, replies);
        app.Run(server.AnswerAsync);
        await app.StartAsync();
        server.BaseUrl = new Uri(app.Urls.First());
        return server;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var at = DateTimeOffset.UtcNow;
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var reply = script.TryDequeue(out var next) ? next : new Reply(200);
        received.Enqueue(new Received(at, context.Request.Path + context.Request.QueryString, body, reply.Status));
        if (reply.Delay > TimeSpan.Zero)
        {
            await Task.Delay(reply.Delay, context.RequestAborted);
        }

        context.Response.StatusCode = reply.Status;
        if (reply.RetryAfter is not null)
        {
            context.Response.Headers.RetryAfter = reply.RetryAfter;
        }

        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(reply.Body, context.RequestAborted);
    }

    /// <summary>Waits until at least <paramref name="count"/> requests arrived, or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitForRequestsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (received.Count < count)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"the webhook got {received.Count} requests, expected {count} within {timeout}"));
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
