using System.Text.Json.Nodes;
using MetricPipeline.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static MetricPipeline.IntegrationTests.Detection.DetectionScenario;

namespace MetricPipeline.IntegrationTests.Detection;

/// <summary>
/// A segment that is gone, on real Postgres and RabbitMQ: an acceptance rate per model version, where version v7 is
/// replaced by v8 13 hours before the pass, so v7's numerator and denominator stop. Its last hour had a high rate by
/// chance. A ratio with no denominator has no value: the pass must not carry v7's last rate forward over the hours it
/// is gone and alert on that invented level shift (the demo once opened a "+13 %" alert on a vanished v7 segment).
/// </summary>
public sealed class VanishedSegmentTests(PipelineEnvironment environment, ITestOutputHelper output) : IClassFixture<PipelineEnvironment>
{
    private static readonly DateTime AsOf = new(2026, 11, 18, 13, 0, 0, DateTimeKind.Utc);
    private const int Hours = 21 * 24;

    [Fact]
    public async Task A_ratio_segment_whose_denominator_stopped_is_not_alerted_on_its_last_value()
    {
        var server = await environment.StartServerAsync("all", new Dictionary<string, string> { ["Detector__Enabled"] = "false" });
        using var admin = server.Client(PipelineEnvironment.AdminKey);
        using var ingest = server.Client(PipelineEnvironment.IngestKey);
        using var reader = server.Client();
        var shown = Metric("vs_shown", "guardrail", "vs", "suggestion_shown");
        var accepted = Metric("vs_accepted", "guardrail", "vs", "suggestion_accepted");
        var rate = new JsonObject
        {
            ["key"] = "vs_acceptance_rate",
            ["name"] = "acceptance rate",
            ["owner"] = "growth-team",
            ["role"] = "input",
            ["kind"] = "ratio",
            ["numerator"] = "vs_accepted",
            ["denominator"] = "vs_shown",
            ["product"] = "vs",
            ["dimensions"] = new JsonArray("plan"),
            ["grain"] = "hour",
            ["direction"] = "up",
            ["alert"] = new JsonObject { ["minRelativeChange"] = 0.05 },
        };
        await ApplyRegistryAsync(admin, shown, accepted, rate);

        // Here "plan" is the model version: v7 until 13 h before the pass, then v8 only.
        var series = new Series[]
        {
            new("vs_shown", "vs", "suggestion_shown", new Dictionary<string, double> { ["v7"] = 1000, ["v8"] = 1000 }),
            new("vs_accepted", "vs", "suggestion_accepted", new Dictionary<string, double> { ["v7"] = 300, ["v8"] = 300 }),
        };
        var values = Generate(series, AsOf, Hours, [], seed: 11);
        var last = Hours - 14;
        values[("vs_accepted", "v7")][last] = Math.Round(values[("vs_accepted", "v7")][last] * 1.3, 3);
        foreach (var key in new[] { ("vs_shown", "v7"), ("vs_accepted", "v7") })
        {
            Array.Fill(values[key], 0, Hours - 13, 13);
        }

        // v7's sums are 0 from then on, so the rate's denominator is 0 there: the ratio has no value.
        await IngestAsync(ingest, reader, series, values, AsOf, Hours);

        var pass = await RunPassAsync(admin, AsOf.AddMinutes(10));
        output.WriteLine($"pass: {pass}");
        var alerts = await AlertsAsync(reader);
        foreach (var a in alerts)
        {
            output.WriteLine(a.ToString());
        }

        Assert.DoesNotContain(alerts, a => a.GetProperty("metric").GetString() == "vs_acceptance_rate" && a.GetProperty("segment").GetString() == "plan=v7");
    }
}
