using MetricPipeline.Data.Alerts;
using MetricPipeline.Data.Entities;
using MetricPipeline.Registry;

namespace MetricPipeline.Alerting.Tests;

/// <summary>A North Star drop with a correlated model release and contributors, as the detector would write it.</summary>
internal static class AlertSamples
{
    public static readonly DateTimeOffset ChangeAt = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The detector's deployment look-back by default (<c>Detector:CorrelationLag</c>), which messages quote.</summary>
    public static readonly TimeSpan CorrelationLag = new DeploymentCorrelationOptions().CorrelationLag;

    public static MetricDefinition NorthStar => new()
    {
        Key = "ai_tasks",
        Name = "AI-assisted tasks completed",
        Owner = "growth-team",
        Role = MetricRole.NorthStar,
        Direction = Direction.Up,
        Grain = Grain.Hour,
        Dimensions = ["plan", "country"],
    };

    public static MetricDefinition MessagesSent => new()
    {
        Key = "messages_sent",
        Name = "Messages sent",
        Role = MetricRole.Input,
        Direction = Direction.Up,
        Grain = Grain.Day,
        Parents = ["ai_tasks"],
    };

    public static Alert Drop(string segment = "") => new()
    {
        Id = Guid.Parse("6f1c2a4e-0000-4000-8000-000000000001"),
        Fingerprint = "ai_tasks||2026-11-20T10:00:00Z",
        MetricKey = "ai_tasks",
        Segment = segment,
        Kind = "level_shift",
        ChangeAt = ChangeAt,
        DetectedAt = ChangeAt.AddHours(3).AddMinutes(10),
        Value = 852,
        Before = 1000,
        ExpectedLow = 950,
        ExpectedHigh = 1050,
        RelativeChange = -0.148,
        Direction = "bad",
        Score = 7.2,
        Deployments = """[{"id":"9a0e0c1d-0000-4000-8000-00000000000a","service":"ranker","version":"2.3.0","kind":"model","lagMinutes":40,"score":0.9}]""",
        Effect = """{"relative":-0.121,"low":-0.151,"high":-0.089,"method":"stl-forecast"}""",
        Contributors = """
            {"children":[{"metric":"messages_sent","relativeChange":-0.082,"share":0.6},{"metric":"unknown_child","relativeChange":0.01}],
             "segments":[{"segment":"plan=free","share":0.72,"relativeChange":-0.201},{"segment":"country=US","share":0.18,"relativeChange":-0.05}],
             "note":"extra fields are ignored"}
            """,
        Status = "open",
        SlackState = "pending",
    };

    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["ai_tasks"] = "AI-assisted tasks completed",
        ["messages_sent"] = "Messages sent",
    };
}
