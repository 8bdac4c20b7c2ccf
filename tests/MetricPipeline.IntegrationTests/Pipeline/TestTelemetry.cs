using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>An event as a product would send it.</summary>
public sealed record TestEvent(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("product")] string Product,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("userId")] string? UserId,
    [property: JsonPropertyName("value")] double Value,
    [property: JsonPropertyName("properties")] Dictionary<string, string> Properties);

/// <summary>Deterministic telemetry for the pipeline tests, and the registry it is counted against.</summary>
public static class TestTelemetry
{
    public static readonly DateTimeOffset Start = new(2026, 10, 5, 0, 0, 0, TimeSpan.Zero);

    public static readonly string[] Plans = ["free", "pro", "team"];
    public static readonly string[] Countries = ["US", "DE", "IN", "BR", "JP"];
    public static readonly string[] Platforms = ["web", "ios"];

    /// <summary>Registry covering every formula kind, a filter, dimensions and a ratio.</summary>
    public const string RegistryJson = """
        {"metrics": [
          {"key": "tasks", "name": "Tasks completed", "role": "north_star", "kind": "count", "event": "task_completed",
           "product": "app", "dimensions": ["plan", "country"], "grain": "hour", "direction": "up", "parents": []},
          {"key": "minutes", "name": "Minutes saved", "role": "input", "kind": "sum", "event": "task_completed",
           "product": "app", "dimensions": ["plan"], "grain": "hour", "direction": "up", "parents": ["tasks"]},
          {"key": "users", "name": "Users completing tasks", "role": "input", "kind": "distinct_users", "event": "task_completed",
           "product": "app", "dimensions": ["plan"], "grain": "hour", "direction": "up", "parents": ["tasks"]},
          {"key": "web_tasks", "name": "Tasks completed on web", "role": "lever", "kind": "count", "event": "task_completed",
           "product": "app", "filter": {"platform": "web"}, "dimensions": [], "grain": "hour", "direction": "up", "parents": ["tasks"]},
          {"key": "shown", "name": "Suggestions shown", "role": "lever", "kind": "count", "event": "suggestion_shown",
           "product": "app", "dimensions": ["plan"], "grain": "hour", "direction": "up", "parents": ["tasks"]},
          {"key": "accepted", "name": "Suggestions accepted", "role": "lever", "kind": "count", "event": "suggestion_accepted",
           "product": "app", "dimensions": ["plan"], "grain": "hour", "direction": "up", "parents": ["tasks"]},
          {"key": "acceptance_rate", "name": "Suggestion acceptance rate", "role": "input", "kind": "ratio",
           "numerator": "accepted", "denominator": "shown", "dimensions": ["plan"], "grain": "hour", "direction": "up", "parents": ["tasks"]}
        ]}
        """;

    /// <summary>Unique events spread over <paramref name="hours"/> hours from <see cref="Start"/>.</summary>
    public static List<TestEvent> Generate(int count, int hours, int seed, string product = "app")
    {
        var random = new Random(seed);
        var events = new List<TestEvent>(count);
        for (var i = 0; i < count; i++)
        {
            var roll = random.NextDouble();
            var name = roll < 0.5 ? "task_completed" : roll < 0.8 ? "suggestion_shown" : roll < 0.95 ? "suggestion_accepted" : "page_viewed";
            var properties = new Dictionary<string, string>
            {
                ["plan"] = Plans[random.Next(Plans.Length)],
                ["platform"] = Platforms[random.Next(Platforms.Length)],
            };
            if (random.NextDouble() < 0.9)
            {
                properties["country"] = Countries[random.Next(Countries.Length)];
            }

            var at = Start.AddSeconds(random.Next(hours * 3600)).AddMilliseconds(random.Next(1000));
            var value = Math.Round(random.NextDouble() * 30, 3);
            events.Add(new TestEvent(NewGuid(random), random.NextDouble() < 0.97 ? product : "other_product", name, at,
                "u" + random.Next(400).ToString(CultureInfo.InvariantCulture), value, properties));
        }

        return events;
    }

    public static Guid NewGuid(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    public static string ToJsonArray(IEnumerable<TestEvent> events) => JsonSerializer.Serialize(events);

    public static string ToNdjson(IEnumerable<TestEvent> events)
    {
        var sb = new StringBuilder();
        foreach (var e in events)
        {
            sb.Append(JsonSerializer.Serialize(e)).Append('\n');
        }

        return sb.ToString();
    }
}
