using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static MetricPipeline.IntegrationTests.Detection.DetectionScenario;

namespace MetricPipeline.IntegrationTests.Api;

/// <summary>
/// <c>metricpipe history</c> against a real server, as a person and a script use it: a readable daily table with the
/// day totals, CSV and JSON that other tools read, and one clear error line with a non-zero exit code.
/// </summary>
public sealed class HistoryCliTests(PipelineEnvironment environment, ITestOutputHelper output) : IClassFixture<PipelineEnvironment>
{
    private static readonly DateTime Start = new(2026, 11, 2, 0, 0, 0, DateTimeKind.Utc);
    private const int Days = 10;

    [Fact]
    public async Task History_by_day_prints_a_table_csv_and_json_of_the_day_totals_and_errors_in_one_line()
    {
        var server = await environment.StartServerAsync("all", new Dictionary<string, string> { ["Detector__Enabled"] = "false" });
        using var admin = server.Client(PipelineEnvironment.AdminKey);
        using var ingest = server.Client(PipelineEnvironment.IngestKey);
        using var reader = server.Client();
        await ApplyRegistryAsync(admin, Metric("ai_tasks_completed", "north_star", "assistant", "ai_task_completed"));

        // Hour h of day d: 100 + d tasks on plan=free and 50 on plan=pro, one event each with that value.
        var events = Enumerable.Range(0, Days * 24).SelectMany(h => new[] { ("free", h, 100 + (h / 24)), ("pro", h, 50) }).ToList();
        foreach (var batch in events.Chunk(1000))
        {
            var response = await ingest.PostAsJsonAsync("v1/events", batch.Select(e => new
            {
                id = Guid.NewGuid(),
                product = "assistant",
                name = "ai_task_completed",
                timestamp = Iso(Start.AddHours(e.Item2).AddMinutes(10)),
                value = e.Item3,
                properties = new Dictionary<string, string> { ["plan"] = e.Item1 },
            }));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var dayTotals = Enumerable.Range(0, Days).Select(d => 24 * (100 + d + 50)).ToArray();
        var range = new[] { "--from", Iso(Start), "--to", Iso(Start.AddDays(Days)), "--server", server.BaseAddress.ToString() };
        await WaitUntilAsync(
            async () =>
            {
                using var json = JsonDocument.Parse(await reader.GetStringAsync($"v1/metrics/ai_tasks_completed/segments?from={Iso(Start)}&to={Iso(Start.AddDays(Days))}"));
                return json.RootElement.GetProperty("segments").EnumerateArray().Any(s => s.GetProperty("segment").GetString() == "" && s.GetProperty("total").GetDouble() == dayTotals.Sum());
            },
            TimeSpan.FromMinutes(3));

        // The table: a title line, a header, one aligned row per day with its total.
        var table = await MetricpipeCli.RunAsync(["history", "ai_tasks_completed", "--grain", "day", .. range]);
        Assert.True(table.Code == 0, table.Error);
        output.WriteLine(table.Output);
        var lines = table.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ai_tasks_completed", lines[0], StringComparison.Ordinal);
        Assert.Matches(@"^t\s+value", lines[1]);
        for (var d = 0; d < Days; d++)
        {
            Assert.Matches($@"^{Start.AddDays(d):yyyy-MM-dd}T00:00:00Z\s+{dayTotals[d]}(\s|$)", lines[2 + d]);
        }

        // CSV for other tools: a header and t,value per day.
        var csv = await MetricpipeCli.RunAsync(["history", "ai_tasks_completed", "--grain", "day", "--format", "csv", .. range]);
        Assert.True(csv.Code == 0, csv.Error);
        var rows = csv.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("t,value", rows[0]);
        Assert.Equal(dayTotals.Select(v => (double)v), rows.Skip(1).Select(r => double.Parse(r.Split(',')[1], CultureInfo.InvariantCulture)));

        // JSON: the API's answer.
        var json = await MetricpipeCli.RunAsync(["history", "ai_tasks_completed", "--grain", "day", "--format", "json", .. range]);
        Assert.True(json.Code == 0, json.Error);
        using (var document = JsonDocument.Parse(json.Output))
        {
            Assert.Equal(dayTotals.Select(v => (double)v), document.RootElement.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));
        }

        // Errors: one line on stderr that says what is wrong, nothing on stdout, exit code 1.
        var unknown = await MetricpipeCli.RunAsync(["history", "ai_tasks_complete", "--grain", "day", .. range]);
        Assert.Equal(1, unknown.Code);
        Assert.Equal("", unknown.Output);
        var line = Assert.Single(unknown.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("ai_tasks_complete", line, StringComparison.Ordinal);

        var badSegment = await MetricpipeCli.RunAsync(["history", "ai_tasks_completed", "--segment", "country:fr", .. range]);
        Assert.Equal(1, badSegment.Code);
        Assert.Contains("not segmented by 'country'", Assert.Single(badSegment.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }
}
