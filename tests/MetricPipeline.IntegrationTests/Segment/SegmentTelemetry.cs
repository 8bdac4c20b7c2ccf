using System.Net.Http.Headers;
using System.Text;

namespace MetricPipeline.IntegrationTests.Segment;

/// <summary>The registry the Segment tests count against, and raw Segment requests.</summary>
public static class SegmentTelemetry
{
    public const string RegistryJson = """
        {"metrics": [
          {"key": "tasks", "name": "Tasks completed", "role": "north_star", "kind": "count", "event": "task_completed",
           "product": "app", "dimensions": ["plan", "context.app.version", "beta", "team.size"], "grain": "hour", "direction": "up", "parents": []},
          {"key": "minutes", "name": "Minutes saved", "role": "input", "kind": "sum", "event": "task_completed",
           "product": "app", "dimensions": ["plan"], "grain": "hour", "direction": "up", "parents": ["tasks"]},
          {"key": "users", "name": "Users completing tasks", "role": "input", "kind": "distinct_users", "event": "task_completed",
           "product": "app", "dimensions": ["plan"], "grain": "hour", "direction": "up", "parents": ["tasks"]}
        ]}
        """;

    public static readonly DateTime Day = new(2026, 10, 5, 0, 0, 0, DateTimeKind.Utc);

    public static AuthenticationHeaderValue Basic(string writeKey) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(writeKey + ":")));

    /// <summary>A track call as Segment's libraries write it.</summary>
    public static string Track(string messageId, string? userId = "u-1", string? @event = "task_completed", string plan = "free",
        string timestamp = "2026-10-05T10:15:00.000Z", string extra = "")
    {
        var user = userId is null ? "" : $"\"userId\":\"{userId}\",";
        var name = @event is null ? "" : $"\"event\":\"{@event}\",";
        return $$"""{"type":"track",{{user}}{{name}}"properties":{"plan":"{{plan}}"},"timestamp":"{{timestamp}}","messageId":"{{messageId}}"{{extra}}}""";
    }

    public static string Batch(params string[] calls) => "{\"batch\":[" + string.Join(",", calls) + "]}";
}
