using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using MassTransit.Serialization;
using MetricPipeline.Contracts;

namespace MetricPipeline.LoadRun;

/// <summary>
/// The bus message, three ways, for the same chunks of 1,000 events: MassTransit's JSON envelope around the
/// events as JSON objects (the format before), the same message as raw JSON without the envelope, and the
/// envelope around the packed events (<see cref="TelemetryEventPacking"/>, the format now). For each: bytes per
/// message and CPU microseconds to write and to read one message (what ingest and the worker pay).
/// </summary>
public static class MessageFormats
{
    /// <summary>The message as it was: events as JSON objects.</summary>
    public sealed record JsonEventsAccepted(Guid ChunkId, DateTimeOffset AcceptedAt, IReadOnlyList<TelemetryEvent> Events);

    private sealed record Wrapped<T>(T Message);

    public static void Run(IReadOnlyList<TelemetryEvent> events, int perMessage, TextWriter output)
    {
        var vhost = new Uri("amqp://localhost/bench/");
        var chunks = events.Chunk(perMessage).Take(200).ToList();
        var options = SystemTextJsonMessageSerializer.Options;
        output.WriteLine($"message formats, {chunks.Count} messages of {perMessage} events (CPU µs per message, best of 3 passes):");
        Measure(output, "MassTransit envelope, events as JSON objects", chunks,
            c => RabbitCeiling.Envelope(new JsonEventsAccepted(NewId.NextGuid(), DateTimeOffset.UtcNow, c), vhost),
            b => JsonSerializer.Deserialize<Wrapped<JsonEventsAccepted>>(b, options)!.Message.Events.Count);
        Measure(output, "raw JSON (no envelope), events as JSON objects", chunks,
            c => JsonSerializer.SerializeToUtf8Bytes(new JsonEventsAccepted(NewId.NextGuid(), DateTimeOffset.UtcNow, c), options),
            b => JsonSerializer.Deserialize<JsonEventsAccepted>(b, options)!.Events.Count);
        Measure(output, "MassTransit envelope, packed events", chunks,
            c => RabbitCeiling.Envelope(EventsAccepted.Of(NewId.NextGuid(), DateTimeOffset.UtcNow, c), vhost),
            b => JsonSerializer.Deserialize<Wrapped<EventsAccepted>>(b, options)!.Message.Events().Count);
    }

    private static void Measure(TextWriter output, string name, List<TelemetryEvent[]> chunks, Func<TelemetryEvent[], byte[]> write, Func<byte[], int> read)
    {
        var bodies = chunks.Select(write).ToList(); // warm-up, and the bodies to read
        double bestWrite = double.MaxValue, bestRead = double.MaxValue;
        for (var pass = 0; pass < 3; pass++)
        {
            var before = Process.GetCurrentProcess().TotalProcessorTime;
            foreach (var c in chunks)
            {
                write(c);
            }

            var middle = Process.GetCurrentProcess().TotalProcessorTime;
            var read0 = 0;
            foreach (var b in bodies)
            {
                read0 += read(b);
            }

            var after = Process.GetCurrentProcess().TotalProcessorTime;
            if (read0 != chunks.Sum(c => c.Length))
            {
                throw new InvalidOperationException($"{name}: read {read0} events back");
            }

            bestWrite = Math.Min(bestWrite, (middle - before).TotalMicroseconds / chunks.Count);
            bestRead = Math.Min(bestRead, (after - middle).TotalMicroseconds / chunks.Count);
        }

        output.WriteLine(
            $"  {name}: {bodies.Average(b => b.Length) / 1024:N0} KiB per message, write {bestWrite:N0} µs, read {bestRead:N0} µs " +
            $"(write + read {(bestWrite + bestRead) / chunks[0].Length * 1000:N0} ms per million events)");
    }
}
