using System.Text;
using System.Text.Json;
using MassTransit;
using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Ingest.Segment;

/// <summary>Segment's answer to a request it took.</summary>
public sealed record SegmentSuccess(bool Success);

/// <summary>Which Segment endpoint a request came to.</summary>
public enum SegmentCall
{
    /// <summary><c>/v1/batch</c>, <c>/v1/b</c>: <c>{"batch": [calls…], "context", "sentAt", "writeKey"}</c>.</summary>
    Batch,

    /// <summary><c>/v1/track</c>: one track call.</summary>
    Track,

    /// <summary><c>/v1/identify</c>, <c>/v1/page</c>, …: one call that is accepted and not counted.</summary>
    Other,
}

/// <summary>
/// The Segment HTTP Tracking API on the ingest role, so Segment and RudderStack SDKs send to
/// MetricPipeline unchanged. Each track call becomes an event and goes through the same validation,
/// broker-confirmed publish and de-duplication as <c>POST /v1/events</c>.
/// </summary>
public static class SegmentApi
{
    public static IEndpointRouteBuilder MapSegmentApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/batch", (HttpContext http, SegmentIngest ingest, CancellationToken ct) => ingest.AcceptAsync(http, SegmentCall.Batch, ct))
            .RequireRateLimiting(EventsApi.RateLimitPolicy).WithName("SegmentBatch").WithSegmentAnswers();
        app.MapPost("/v1/b", (HttpContext http, SegmentIngest ingest, CancellationToken ct) => ingest.AcceptAsync(http, SegmentCall.Batch, ct))
            .RequireRateLimiting(EventsApi.RateLimitPolicy).WithName("SegmentBatchShort").WithSegmentAnswers();
        app.MapPost("/v1/track", (HttpContext http, SegmentIngest ingest, CancellationToken ct) => ingest.AcceptAsync(http, SegmentCall.Track, ct))
            .RequireRateLimiting(EventsApi.RateLimitPolicy).WithName("SegmentTrack").WithSegmentAnswers();
        foreach (var type in new[] { "identify", "page", "screen", "group", "alias" })
        {
            app.MapPost("/v1/" + type, (HttpContext http, SegmentIngest ingest, CancellationToken ct) => ingest.AcceptAsync(http, SegmentCall.Other, ct))
                .RequireRateLimiting(EventsApi.RateLimitPolicy).WithName("Segment" + char.ToUpperInvariant(type[0]) + type[1..]).WithSegmentAnswers();
        }

        return app;
    }

    /// <summary>What the OpenAPI document says a Segment call answers: 200 <c>{"success": true}</c>, or a problem.</summary>
    private static RouteHandlerBuilder WithSegmentAnswers(this RouteHandlerBuilder endpoint) =>
        endpoint.Produces<SegmentSuccess>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}

/// <summary>One Segment request: read, authenticate by write key, translate each call, validate, publish, answer.</summary>
public sealed class SegmentIngest(
    EventParser parser,
    SegmentCallTranslator translator,
    IBus bus,
    IOptions<SegmentOptions> segment,
    IOptions<IngestOptions> ingest,
    IOptionsMonitor<AuthOptions> auth,
    TimeProvider clock,
    ILogger<SegmentIngest> logger)
{
    public async Task<IResult> AcceptAsync(HttpContext http, SegmentCall call, CancellationToken ct)
    {
        var receivedAt = clock.GetUtcNow();
        var options = segment.Value;
        var (limit, what) = call == SegmentCall.Batch ? (options.MaxBatchBytes, "the batch") : (options.MaxEventBytes, "the call");
        byte[] body;
        try
        {
            body = await SegmentRequestBody.ReadAsync(http.Request, limit, what, ct);
        }
        catch (SegmentBodyException ex)
        {
            return Problems.BadRequest(ex.Message + (call == SegmentCall.Batch ? ": send smaller batches" : ""));
        }

        // A key in the header is checked before the body is read as JSON; one in the body only after.
        var headerKey = WriteKeyFromHeader(http.Request.Headers.Authorization.ToString());
        if (headerKey is not null && Refusal(http, headerKey) is { } refusedByHeader)
        {
            return refusedByHeader;
        }

        using var document = ParseJson(body, out var jsonError);
        if (document is null)
        {
            return Problems.BadRequest(jsonError!);
        }

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Problems.BadRequest("the body must be a JSON object (a Segment call, or {\"batch\": [...]} for /v1/batch)");
        }

        var writeKey = headerKey ?? (root.TryGetProperty("writeKey", out var wk) && wk.ValueKind == JsonValueKind.String ? wk.GetString() : null);
        if (headerKey is null && Refusal(http, writeKey) is { } refused)
        {
            return refused;
        }

        if (call == SegmentCall.Other)
        {
            return TypedResults.Ok(new SegmentSuccess(true));
        }

        var source = options.Sources.FirstOrDefault(s => s.WriteKey == writeKey);
        var calls = new List<JsonElement>();
        JsonElement? batchContext = null;
        if (call == SegmentCall.Batch)
        {
            if (!root.TryGetProperty("batch", out var batch) || batch.ValueKind != JsonValueKind.Array)
            {
                return Problems.BadRequest("\"batch\" is required: an array of Segment calls ({\"batch\": [{\"type\": \"track\", …}]})");
            }

            calls.AddRange(batch.EnumerateArray());
            batchContext = root.TryGetProperty("context", out var c) && c.ValueKind == JsonValueKind.Object ? c : null;
        }
        else
        {
            calls.Add(root);
        }

        var envelope = new SegmentEnvelope(
            source?.Product, batchContext, root.TryGetProperty("sentAt", out var sentAt) ? sentAt : null, receivedAt, ImpliedTrack: call == SegmentCall.Track);
        var (accepted, rejected) = Translate(calls, envelope, options.MaxEventBytes);

        try
        {
            await EventsApi.PublishAsync(bus, accepted, ingest.Value.EventsPerMessage, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Publishing {Count} Segment events failed", accepted.Count);
            http.Response.Headers.RetryAfter = "5";
            return Problems.Unavailable("the events could not be queued (message broker unavailable); nothing was accepted — send the same calls again, messageIds make it safe");
        }

        if (rejected.Count == 0)
        {
            return TypedResults.Ok(new SegmentSuccess(true));
        }

        if (call == SegmentCall.Track)
        {
            return Problems.BadRequest(rejected[0].Error);
        }

        var first = rejected[0];
        return Problems.BadRequest(
            $"{rejected.Count} of {calls.Count} calls refused (the other {accepted.Count} were accepted); call {first.Index}: {first.Error}",
            new Dictionary<string, object?> { ["accepted"] = accepted.Count, ["rejected"] = rejected });
    }

    private (List<Contracts.TelemetryEvent> Accepted, List<RejectedEvent> Rejected) Translate(List<JsonElement> calls, SegmentEnvelope envelope, int maxEventBytes)
    {
        var rejected = new List<RejectedEvent>();
        var callOfEvent = new List<int>();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var one = new System.Buffers.ArrayBufferWriter<byte>();
        using var oneWriter = new Utf8JsonWriter(one);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < calls.Count; i++)
            {
                var size = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(calls[i]).Length;
                if (size > maxEventBytes)
                {
                    rejected.Add(new RejectedEvent(i, $"the call is {size} bytes; the limit is {maxEventBytes} bytes ({maxEventBytes / 1024} KB) per call"));
                    continue;
                }

                // Each call is written on its own first, so one that breaks half-way leaves nothing behind.
                one.ResetWrittenCount();
                oneWriter.Reset(one);
                CallOutcome outcome;
                string? error;
                try
                {
                    outcome = translator.Translate(calls[i], envelope, oneWriter, out error);
                    oneWriter.Flush();
                }
                catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
                {
                    (outcome, error) = (CallOutcome.Refused, "the call holds text that is not valid UTF-8 (invalid bytes or an unpaired \\uD800-\\uDFFF escape)");
                }

                switch (outcome)
                {
                    case CallOutcome.Event:
                        writer.WriteRawValue(one.WrittenSpan, skipInputValidation: true);
                        callOfEvent.Add(i);
                        break;
                    case CallOutcome.Refused:
                        rejected.Add(new RejectedEvent(i, error!));
                        break;
                }
            }

            writer.WriteEndArray();
        }

        var parsed = parser.ParseArray(new System.Buffers.ReadOnlySequence<byte>(buffer.WrittenMemory));
        rejected.AddRange(parsed.Rejected.Select(r => new RejectedEvent(callOfEvent[r.Index], SegmentCallTranslator.InSegmentTerms(r.Error))));
        rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        return (parsed.Accepted, rejected);
    }

    private Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Refusal(HttpContext http, string? writeKey)
    {
        if (string.IsNullOrEmpty(writeKey))
        {
            http.Response.Headers.WWWAuthenticate = "Basic realm=\"MetricPipeline\"";
            return Problems.Unauthorized("missing write key: send HTTP Basic auth with an ingest key as the user name (and an empty password), or \"writeKey\" in the body");
        }

        switch (KeyRing.Verify(auth.CurrentValue, KeyKind.Ingest, writeKey))
        {
            case KeyVerdict.Accepted:
                return null;
            case KeyVerdict.NoneConfigured:
                return Problems.Forbidden("no ingest keys are configured on this server, so Segment ingest is closed");
            case KeyVerdict.WrongKind:
                return Problems.Forbidden("the write key is an admin key; a Segment write key must be an ingest key");
            default:
                http.Response.Headers.WWWAuthenticate = "Basic realm=\"MetricPipeline\"";
                return Problems.Unauthorized("unknown write key: use one of the server's ingest keys (Auth__IngestKeys) as the Segment write key");
        }
    }

    /// <summary>The write key from <c>Authorization: Basic base64(key:)</c> (the password is ignored), or a bearer key.</summary>
    private static string? WriteKeyFromHeader(string header)
    {
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                return colon >= 0 ? decoded[..colon] : decoded;
            }
            catch (FormatException)
            {
                return "";
            }
        }

        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    private static JsonDocument? ParseJson(byte[] body, out string? error)
    {
        error = null;
        if (body.Length == 0)
        {
            error = "the body is empty: send a Segment call as JSON";
            return null;
        }

        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            var message = ex.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            error = $"the body is not valid JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}: {(cut > 0 ? message[..cut] : message).TrimEnd(' ', '.')}";
            return null;
        }
    }
}
