using System.Buffers;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.IO.Pipelines;
using MassTransit;
using MetricPipeline.Contracts;
using MetricPipeline.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MetricPipeline.Ingest;

public sealed record IngestResponse(int Accepted, IReadOnlyList<RejectedEvent> Rejected);

/// <summary><c>POST /v1/events</c>: validate, publish with broker confirms, then answer 202.</summary>
public static partial class EventsApi
{
    public const string RateLimitPolicy = "ingest";

    private static readonly Meter Meter = new("MetricPipeline.Ingest");
    private static readonly Counter<long> AcceptedCounter = Meter.CreateCounter<long>("events_accepted", "events");
    private static readonly Counter<long> RejectedCounter = Meter.CreateCounter<long>("events_rejected", "events");

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/events", AcceptAsync)
            .RequireKey(KeyKind.Ingest)
            .RequireRateLimiting(RateLimitPolicy)
            .WithName("PostEvents")
            .Accepts<object>("application/json", "application/x-ndjson")
            .Produces<IngestResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<IResult> AcceptAsync(
        HttpContext http, EventParser parser, IBus bus, IOptions<IngestOptions> options, ILoggerFactory loggers, CancellationToken ct)
    {
        var ndjson = IsNdjson(http.Request.ContentType);
        if (!ndjson && !RequestBody.Declares(http.Request, "application/json"))
        {
            return Problems.UnsupportedMediaType(
                $"Content-Type '{http.Request.ContentType}' is not accepted: send a JSON array as application/json, or NDJSON as application/x-ndjson");
        }

        var limit = options.Value.MaxBodyBytes;
        if (http.Request.ContentLength > limit)
        {
            return Problems.TooLarge($"the body is {http.Request.ContentLength} bytes; the limit is {limit} bytes: split the events over several requests");
        }

        var sizeFeature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        ReadResult read;
        try
        {
            read = await ReadWholeBodyAsync(http.Request.BodyReader, limit, ct);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problems.TooLarge($"the body is over the limit of {limit} bytes: split the events over several requests");
        }
        catch (BodyTooLargeException)
        {
            return Problems.TooLarge($"the body is over the limit of {limit} bytes: split the events over several requests");
        }

        ParsedBatch batch;
        try
        {
            batch = ndjson ? parser.ParseNdjson(read.Buffer) : parser.ParseArray(read.Buffer);
        }
        catch (UnreadableBodyException ex)
        {
            return Problems.BadRequest(ex.Message);
        }
        finally
        {
            http.Request.BodyReader.AdvanceTo(read.Buffer.End);
        }

        var timeout = options.Value.PublishTimeout;
        using var publishing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        publishing.CancelAfter(timeout);
        try
        {
            // WaitAsync bounds the wait even where the transport does not watch the token (waiting for a connection).
            await PublishAsync(bus, batch.Accepted, options.Value.EventsPerMessage, publishing.Token).WaitAsync(timeout, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            publishing.Cancel();
            LogPublishFailed(loggers.CreateLogger(typeof(EventsApi)), ex, batch.Accepted.Count, timeout.TotalSeconds);
            http.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return Problems.Unavailable(
                $"the message broker did not confirm the events within {timeout.TotalSeconds:0.#} s; none of this batch was accepted: " +
                "send the same events again (same ids) after Retry-After, ids make it safe");
        }

        AcceptedCounter.Add(batch.Accepted.Count);
        RejectedCounter.Add(batch.Rejected.Count);
        return TypedResults.Accepted((string?)null, new IngestResponse(batch.Accepted.Count, batch.Rejected));
    }

    /// <summary>Publishes the events in chunks and returns once the broker has confirmed every chunk.</summary>
    public static Task PublishAsync(IPublishEndpoint bus, List<TelemetryEvent> events, int perMessage, CancellationToken ct)
    {
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        var now = DateTimeOffset.UtcNow;
        var publishes = new List<Task>((events.Count / perMessage) + 1);
        for (var offset = 0; offset < events.Count; offset += perMessage)
        {
            var chunk = events.GetRange(offset, Math.Min(perMessage, events.Count - offset));
            publishes.Add(bus.Publish(EventsAccepted.Of(NewId.NextGuid(), now, chunk), MarkMandatory, ct));
        }

        return Task.WhenAll(publishes);
    }

    /// <summary>
    /// Unroutable messages (no rollup queue bound yet) come back as a failed publish instead of
    /// being confirmed and dropped by the broker.
    /// </summary>
    private static void MarkMandatory(PublishContext<EventsAccepted> context)
    {
        if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit))
        {
            rabbit.Mandatory = true;
        }
    }

    private static bool IsNdjson(string? contentType) =>
        contentType is not null &&
        (contentType.StartsWith("application/x-ndjson", StringComparison.OrdinalIgnoreCase) ||
         contentType.StartsWith("application/ndjson", StringComparison.OrdinalIgnoreCase) ||
         contentType.StartsWith("application/jsonl", StringComparison.OrdinalIgnoreCase));

    private static async Task<ReadResult> ReadWholeBodyAsync(PipeReader reader, long limit, CancellationToken ct)
    {
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            if (result.Buffer.Length > limit)
            {
                reader.AdvanceTo(result.Buffer.End);
                throw new BodyTooLargeException();
            }

            if (result.IsCompleted)
            {
                return result;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Publishing {Count} events failed or was not confirmed within {Seconds} s; answered 503")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, int count, double seconds);

    private sealed class BodyTooLargeException : Exception;
}
