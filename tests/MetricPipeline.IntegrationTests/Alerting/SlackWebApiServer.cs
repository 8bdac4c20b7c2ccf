using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MetricPipeline.Testing;

/// <summary>
/// A real HTTP server on 127.0.0.1 standing in for the Slack Web API (<c>/api/chat.postMessage</c>,
/// <c>/api/chat.update</c>). It checks what Slack checks — the method name, the bearer token, a JSON
/// body with a channel, text and well-formed blocks, and for an update or a reply a <c>ts</c> it issued —
/// and answers as Slack does: <c>{"ok": true, "channel", "ts"}</c>, <c>{"ok": false, "error"}</c>, 429
/// <c>ratelimited</c> with Retry-After, or a 500 when the script says so. It keeps the messages it holds,
/// so a test can read a message after edits and the replies in its thread.
/// </summary>
public sealed class SlackWebApiServer : IAsyncDisposable
{
    public const string Token = "xoxb-test-0000-s3cr3tB0tT0k3n";
    public const string ChannelId = "C0ALERTS01";

    private readonly WebApplication app;
    private readonly ConcurrentQueue<Reply> script;
    private readonly ConcurrentQueue<Received> received = new();
    private readonly ConcurrentDictionary<string, Message> messages = new();
    private long nextTs = 1_700_000_000_000_100;

    /// <summary>A scripted answer: an HTTP status (429 comes with <see cref="RetryAfter"/> and <c>ratelimited</c>), or 200 with a Slack error.</summary>
    public sealed record Reply(int Status, string? Error = null, string? RetryAfter = null);

    /// <summary>A call as it arrived, and the status and Slack error it was answered with.</summary>
    public sealed record Received(DateTimeOffset At, string Method, string? Authorization, string ContentType, JsonObject? Payload, int Status, string? Error);

    /// <summary>A message as it stands now, with its edits counted and the replies in its thread.</summary>
    public sealed record Message(string Channel, string Ts, string Text, JsonArray? Blocks, int Edits, IReadOnlyList<string> Replies);

    private SlackWebApiServer(WebApplication app, IEnumerable<Reply> replies)
    {
        this.app = app;
        script = new ConcurrentQueue<Reply>(replies);
    }

    public Uri ApiBaseUrl { get; private set; } = null!;

    public IReadOnlyList<Received> Requests => [.. received];

    /// <summary>Top-level messages (not thread replies), oldest first.</summary>
    public IReadOnlyList<Message> Messages => [.. messages.Values.OrderBy(m => m.Ts, StringComparer.Ordinal)];

    public static async Task<SlackWebApiServer> StartAsync(params Reply[] replies)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new SlackWebApiServer(app, replies);
        app.Run(server.AnswerAsync);
        await app.StartAsync();
        server.ApiBaseUrl = new Uri(app.Urls.First() + "/api/");
        return server;
    }

    /// <summary>Adds answers to the end of the script (before that, and after it, calls succeed when valid).</summary>
    public void Then(params Reply[] replies)
    {
        foreach (var reply in replies)
        {
            script.Enqueue(reply);
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var at = DateTimeOffset.UtcNow;
        var method = context.Request.Path.StartsWithSegments("/api", out var rest) ? rest.Value!.TrimStart('/') : context.Request.Path.Value!;
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var authorization = context.Request.Headers.Authorization.ToString();
        var contentType = context.Request.ContentType ?? "";
        JsonObject? payload = null;
        try
        {
            payload = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
        }

        int status;
        string? error;
        JsonObject answer;
        if (method is not ("chat.postMessage" or "chat.update"))
        {
            (status, error) = (404, "unknown_method");
            answer = new JsonObject { ["ok"] = false, ["error"] = error };
        }
        else if (authorization != "Bearer " + Token)
        {
            (status, error) = (200, authorization.Length == 0 ? "not_authed" : "invalid_auth");
            answer = new JsonObject { ["ok"] = false, ["error"] = error };
        }
        else if (script.TryDequeue(out var reply))
        {
            (status, error) = (reply.Status, reply.Status == 429 ? "ratelimited" : reply.Error ?? (reply.Status >= 500 ? "internal_error" : null));
            if (reply.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = reply.RetryAfter;
            }

            answer = new JsonObject { ["ok"] = error is null, ["error"] = error };
        }
        else
        {
            (status, error, answer) = Apply(method, contentType, payload);
        }

        received.Enqueue(new Received(at, method, authorization, contentType, payload, status, error));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
    }

    /// <summary>What Slack would do with a valid-looking call: check its shape, then post, reply or edit.</summary>
    private (int Status, string? Error, JsonObject Answer) Apply(string method, string contentType, JsonObject? payload)
    {
        string? Refuse(JsonObject? p)
        {
            if (!contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) || p is null)
            {
                return "invalid_json";
            }

            if (p["channel"]?.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace((string?)p["channel"]))
            {
                return "channel_not_found";
            }

            if (p["text"]?.GetValueKind() != JsonValueKind.String || string.IsNullOrWhiteSpace((string?)p["text"]))
            {
                return "no_text";
            }

            if (p["blocks"] is { } blocks && (blocks is not JsonArray array || array.Any(b => b?["type"]?.GetValueKind() != JsonValueKind.String)))
            {
                return "invalid_blocks";
            }

            return null;
        }

        if (Refuse(payload) is { } refusal)
        {
            return (200, refusal, new JsonObject { ["ok"] = false, ["error"] = refusal });
        }

        var channel = Resolve((string)payload!["channel"]!);
        var text = (string)payload["text"]!;
        var blocks = payload["blocks"]?.DeepClone() as JsonArray;
        if (method == "chat.update")
        {
            var ts = (string?)payload["ts"];
            if (ts is null || !messages.TryGetValue(ts, out var original) || original.Channel != channel)
            {
                return (200, "message_not_found", new JsonObject { ["ok"] = false, ["error"] = "message_not_found" });
            }

            messages[ts] = original with { Text = text, Blocks = blocks, Edits = original.Edits + 1 };
            return (200, null, new JsonObject { ["ok"] = true, ["channel"] = channel, ["ts"] = ts, ["text"] = text });
        }

        var newTs = NextTs();
        if ((string?)payload["thread_ts"] is { } thread)
        {
            if (!messages.TryGetValue(thread, out var parent) || parent.Channel != channel)
            {
                return (200, "thread_not_found", new JsonObject { ["ok"] = false, ["error"] = "thread_not_found" });
            }

            messages[thread] = parent with { Replies = [.. parent.Replies, text] };
        }
        else
        {
            messages[newTs] = new Message(channel, newTs, text, blocks, 0, []);
        }

        return (200, null, new JsonObject { ["ok"] = true, ["channel"] = channel, ["ts"] = newTs });
    }

    /// <summary>Slack answers with the channel's ID even when the call named it <c>#name</c>.</summary>
    private static string Resolve(string channel) =>
        channel.StartsWith('#') ? "C" + new string([.. channel[1..].ToUpperInvariant().Where(char.IsAsciiLetterOrDigit)]) : channel;

    private string NextTs()
    {
        var n = Interlocked.Increment(ref nextTs);
        return string.Create(CultureInfo.InvariantCulture, $"{n / 1_000_000}.{n % 1_000_000:D6}");
    }

    /// <summary>Waits until <paramref name="done"/> holds, or fails after <paramref name="timeout"/> saying what the server holds.</summary>
    public async Task WaitUntilAsync(Func<SlackWebApiServer, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!done(this))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {timeout}; calls: {string.Join(", ", Requests.Select(r => $"{r.Method}={r.Status}{(r.Error is null ? "" : "/" + r.Error)}"))}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
