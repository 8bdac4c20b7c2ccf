using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using MassTransit.Serialization;
using MetricPipeline.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace MetricPipeline.LoadRun;

/// <summary>What the raw broker did: messages of <see cref="EventsPerMessage"/> events each.</summary>
public sealed record RabbitResult(int Messages, int EventsPerMessage, int MessageBytes, double Seconds)
{
    public double MessagesPerSecond => Messages / Seconds;

    public double EventsPerSecond => Messages * (double)EventsPerMessage / Seconds;
}

/// <summary>
/// The broker's ceiling for the ingest's traffic, without MassTransit: the same envelope bytes
/// (an <see cref="EventsAccepted"/> of 1,000 events serialised as MassTransit's JSON envelope),
/// persistent and mandatory, to a durable quorum queue with publisher confirms, consumed and acked
/// one by one at the same time. Throughput = messages / (first publish → last ack).
/// </summary>
public static class RabbitCeiling
{
    private const string Queue = "ceiling";

    /// <summary>
    /// Serialises one chunk the way MassTransit's System.Text.Json serializer does (its options,
    /// its envelope fields), so the broker carries bytes of the real size.
    /// </summary>
    public static byte[] Envelope(IReadOnlyList<TelemetryEvent> chunk, Uri vhost) =>
        Envelope(EventsAccepted.Of(NewId.NextGuid(), DateTimeOffset.UtcNow, chunk), vhost);

    /// <summary>Any message in MassTransit's JSON envelope.</summary>
    public static byte[] Envelope(object message, Uri vhost)
    {
        var id = NewId.NextGuid();
        var envelope = new
        {
            MessageId = id,
            ConversationId = NewId.NextGuid(),
            SourceAddress = new Uri(vhost, "ingest_bus_abcdefghijklmnopqrstuvwxyz?temporary=true"),
            DestinationAddress = new Uri(vhost, "MetricPipeline.Contracts:EventsAccepted"),
            MessageType = new[] { "urn:message:MetricPipeline.Contracts:EventsAccepted" },
            Message = message,
            SentTime = DateTime.UtcNow,
            Headers = new Dictionary<string, object>(),
            Host = new
            {
                MachineName = Environment.MachineName,
                ProcessName = "MetricPipeline.Server",
                ProcessId = Environment.ProcessId,
                Assembly = "MetricPipeline.Server",
                AssemblyVersion = "1.0.0.0",
                FrameworkVersion = Environment.Version.ToString(),
                MassTransitVersion = "8.5.12.0",
                OperatingSystemVersion = Environment.OSVersion.VersionString,
            },
        };
        return JsonSerializer.SerializeToUtf8Bytes(envelope, SystemTextJsonMessageSerializer.Options);
    }

    public static async Task<RabbitResult> RunAsync(Uri vhost, List<byte[]> messages, int eventsPerMessage, int inFlight, int prefetch)
    {
        var factory = new ConnectionFactory { Uri = vhost };
        await using var publisherConnection = await factory.CreateConnectionAsync("ceiling-publisher");
        await using var consumerConnection = await factory.CreateConnectionAsync("ceiling-consumer");
        await using var publish = await publisherConnection.CreateChannelAsync(new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await using var consume = await consumerConnection.CreateChannelAsync();
        await publish.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        await consume.BasicQosAsync(0, (ushort)prefetch, global: false);

        var received = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(consume);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await consume.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            if (Interlocked.Increment(ref received) == messages.Count)
            {
                done.TrySetResult();
            }
        };
        await consume.BasicConsumeAsync(Queue, autoAck: false, consumer);

        var properties = new BasicProperties { Persistent = true, ContentType = "application/vnd.masstransit+json" };
        var next = -1;
        var clock = Stopwatch.StartNew();
        var publishers = Enumerable.Range(0, inFlight).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < messages.Count)
            {
                // With confirmation tracking, the publish completes when the broker has confirmed it.
                await publish.BasicPublishAsync("", Queue, mandatory: true, properties, messages[i]);
            }
        });
        await Task.WhenAll(publishers);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(10));
        var seconds = clock.Elapsed.TotalSeconds;
        await publish.QueueDeleteAsync(Queue);
        return new RabbitResult(messages.Count, eventsPerMessage, messages[0].Length, seconds);
    }
}
