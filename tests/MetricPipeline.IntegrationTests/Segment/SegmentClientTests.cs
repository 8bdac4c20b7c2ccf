using System.Globalization;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;
using MetricPipeline.IntegrationTests.Pipeline;

namespace MetricPipeline.IntegrationTests.Segment;

/// <summary>
/// Acceptance: the real <c>@segment/analytics-node</c> client, with an ingest key as its write key,
/// sends to a real server (RabbitMQ, PostgreSQL) exactly as it would send to Segment.
/// </summary>
public sealed class SegmentClientTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    private const int Calls = 2_000;
    private const int Users = 300;
    private const int Resent = 200;

    [Fact]
    public async Task Analytics_node_calls_are_counted_once_each_with_exact_plan_counts_and_distinct_users_even_when_re_sent()
    {
        var server = await environment.StartServerAsync("all", new Dictionary<string, string>
        {
            ["Segment__Sources__0__WriteKey"] = PipelineEnvironment.IngestKey,
            ["Segment__Sources__0__Product"] = "app",
            ["Segment__ValueProperty"] = "minutes",
        });
        var api = new PipelineApi(server);
        await api.ApplyRegistryAsync(SegmentTelemetry.RegistryJson);

        var random = new Random(1212);
        string[] plans = ["free", "pro", "team"];
        var planOf = Enumerable.Range(0, Users).Select(_ => plans[random.Next(plans.Length)]).ToArray();
        var calls = new List<(string User, string Plan, double Minutes, DateTime At, string MessageId)>();
        for (var i = 0; i < Calls; i++)
        {
            var user = i < Users ? i : random.Next(Users); // every user at least once
            calls.Add(($"user-{user}", planOf[user], random.Next(1, 60), SegmentTelemetry.Day.AddSeconds(random.Next(86_400)), $"msg-{i}-{random.Next():x}"));
        }

        var resend = Enumerable.Range(0, Calls).OrderBy(_ => random.Next()).Take(Resent).ToList();
        var payload = calls.Select(c => (object)new
        {
            userId = c.User,
            @event = "task_completed",
            properties = new Dictionary<string, object> { ["plan"] = c.Plan, ["minutes"] = c.Minutes },
            timestamp = c.At.ToString("o", CultureInfo.InvariantCulture),
            messageId = c.MessageId,
        }).ToList();

        var run = await NodeSegmentClient.SendAsync(server.BaseAddress, PipelineEnvironment.IngestKey, payload, resend);
        Assert.True(run.ExitCode == 0, $"the Segment client failed ({run.ExitCode}):\n{run.Output}");
        var report = JsonDocument.Parse(run.Output.Trim().Split('\n')[^1]).RootElement;
        Assert.Equal(Calls, report.GetProperty("sent").GetInt32());
        Assert.Equal(Resent, report.GetProperty("resent").GetInt32());
        Assert.Equal(0, report.GetProperty("errors").GetArrayLength());

        var from = SegmentTelemetry.Day;
        var to = from.AddDays(1);
        await api.WaitForTotalAsync("tasks", Calls, from, to, TimeSpan.FromMinutes(2));
        await api.WaitForTotalAsync("minutes", calls.Sum(c => c.Minutes), from, to, TimeSpan.FromMinutes(1));
        await Task.Delay(1_500); // anything counted twice would arrive by now

        var tasks = await api.SegmentTotalsAsync("tasks", from, to);
        Assert.Equal(Calls, tasks[""]);
        foreach (var plan in plans)
        {
            Assert.Equal(calls.Count(c => c.Plan == plan), tasks[$"plan={plan}"]);
        }

        var dailyUsers = await api.SeriesAsync("users", "", from, to, "day");
        Assert.Equal(Users, Assert.Single(dailyUsers).Value);
        foreach (var plan in plans)
        {
            var planUsers = await api.SeriesAsync("users", $"plan={plan}", from, to, "day");
            Assert.Equal(planOf.Count(p => p == plan), Assert.Single(planUsers).Value);
        }

        // Hour by hour, each call sits in the hour of its own timestamp.
        var hourly = await api.SeriesAsync("tasks", "", from, to);
        Assert.All(hourly, p => Assert.Equal(calls.Count(c => c.At >= p.T && c.At < p.T.AddHours(1)), p.Value ?? 0));
    }
}
