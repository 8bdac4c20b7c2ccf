using MetricPipeline.Contracts;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>The bus's packed form of events gives back exactly the events that went in.</summary>
public sealed class TelemetryEventPackingTests
{
    [Fact]
    public void Packed_events_come_back_unchanged_including_nulls_and_odd_text()
    {
        var random = new Random(3);
        var events = new List<TelemetryEvent>
        {
            new(Guid.NewGuid(), "app", "task_completed", new DateTimeOffset(2026, 11, 20, 10, 0, 0, 123, TimeSpan.Zero).AddTicks(4567),
                "u-1", 1, new Dictionary<string, string> { ["plan"] = "free", ["country"] = "US" }),
            new(Guid.NewGuid(), "app", "task_completed", DateTimeOffset.UnixEpoch, null, -0.5, null),
            new(Guid.NewGuid(), "app", "page_viewed", DateTimeOffset.UnixEpoch.AddYears(40), "u-1", double.MaxValue, new Dictionary<string, string>()),
            // A NUL and a lone surrogate: the rollup parks such an event, so the bus must carry it as sent.
            new(Guid.NewGuid(), "ä\u0000pp", "name\ud800", DateTimeOffset.UnixEpoch, "用户", 3.25, new Dictionary<string, string> { ["k\udc00"] = "" }),
        };
        for (var i = 0; i < 1_000; i++)
        {
            events.Add(new TelemetryEvent(TestTelemetry.NewGuid(random), "app", "message_sent", DateTimeOffset.UnixEpoch.AddSeconds(random.Next()),
                "u" + random.Next(300), random.NextDouble(), new Dictionary<string, string> { ["plan"] = TestTelemetry.Plans[random.Next(3)] }));
        }

        var message = EventsAccepted.Of(Guid.NewGuid(), DateTimeOffset.UtcNow, events);
        var back = message.Events();

        Assert.Equal(events.Count, back.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var (a, b) = (events[i], back[i]);
            Assert.Equal((a.Id, a.Product, a.Name, a.Timestamp.UtcTicks, a.UserId, a.Value), (b.Id, b.Product, b.Name, b.Timestamp.UtcTicks, b.UserId, b.Value));
            Assert.Equal(a.Properties?.OrderBy(p => p.Key, StringComparer.Ordinal), b.Properties?.OrderBy(p => p.Key, StringComparer.Ordinal));
        }

        // Each distinct string is stored once: far below 40 bytes an event for these.
        Assert.True(message.PackedEvents.Length < events.Count * 60, $"{message.PackedEvents.Length} bytes for {events.Count} events");
    }
}
