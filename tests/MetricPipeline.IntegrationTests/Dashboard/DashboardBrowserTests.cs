using System.Text.Json;
using System.Text.RegularExpressions;
using MetricPipeline.IntegrationTests.Infrastructure;
using MetricPipeline.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;
using MetricPipeline.IntegrationTests.Detection;
using static MetricPipeline.IntegrationTests.Detection.DetectionScenario;

namespace MetricPipeline.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's Chromium driven by Playwright) against a server with every role on real
/// Postgres and RabbitMQ: three weeks of hourly telemetry up to now, a model deployment 30 hours ago and a 15 % North
/// Star drop 40 minutes after it, one detection pass. A person opens the tree, clicks into the North Star, sees the
/// chart with the deployment and the change, reads the alert, acknowledges it with the admin key, and follows the
/// Slack link. Each page is kept as a PNG (laptop size, 1366×768) under <c>TestResults/screenshots</c>.
/// </summary>
public sealed partial class DashboardBrowserTests(PipelineEnvironment environment, ITestOutputHelper output) : IClassFixture<PipelineEnvironment>
{
    private const int Hours = 21 * 24;
    private static readonly string[] Assistant = ["assistant"];

    [Fact]
    public async Task A_person_follows_the_north_star_drop_from_the_tree_to_the_deployment_and_acknowledges_the_alert()
    {
        await using var slack = await SlackWebhookServer.StartAsync();
        var server = await environment.StartServerAsync("all", new Dictionary<string, string>
        {
            ["Detector__Enabled"] = "false",
            ["Slack__WebhookUrl"] = slack.Webhook().ToString(),
            ["Slack__PollInterval"] = "00:00:00.200",
            ["Slack__AllowedHosts__0"] = "127.0.0.1",
            ["Slack__AllowHttp"] = "true",
            ["Slack__AllowPrivateAddresses"] = "true",
        });
        using var admin = server.Client(PipelineEnvironment.AdminKey);
        using var ingest = server.Client(PipelineEnvironment.IngestKey);
        using var reader = server.Client();

        await ApplyRegistryAsync(
            admin,
            Metric("assistant_tasks", "north_star", "assistant", "task_completed"),
            Metric("assistant_sessions", "input", "assistant", "session_started", parents: ["assistant_tasks"]),
            Metric("assistant_latency", "guardrail", "assistant", "latency_reported", direction: "down", parents: ["assistant_tasks"]));
        var now = DateTime.UtcNow;
        var asOf = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc);
        var deployedAt = asOf.AddHours(-30);
        var series = new Series[]
        {
            new("assistant_tasks", "assistant", "task_completed", new Dictionary<string, double> { ["free"] = 600, ["pro"] = 400 }),
            new("assistant_sessions", "assistant", "session_started", new Dictionary<string, double> { ["free"] = 300, ["pro"] = 200 }),
            new("assistant_latency", "assistant", "latency_reported", new Dictionary<string, double> { ["free"] = 50, ["pro"] = 50 }),
        };
        LevelChange[] changes =
        [
            new("assistant_tasks", "free", deployedAt.AddMinutes(40), 0.75),
            new("assistant_sessions", "free", deployedAt.AddMinutes(40), 0.75),
        ];
        await IngestAsync(ingest, reader, series, Generate(series, asOf, Hours, changes, seed: 7), asOf, Hours);
        await DeployAsync(admin, new { service = "ranker", version = "2.3.0", kind = "model", startedAt = Iso(deployedAt), products = Assistant, description = "New ranking model" });
        await RunPassAsync(admin, asOf);
        var alert = Assert.Single(await AlertsAsync(reader, "?status=open&metric=assistant_tasks"), a => a.GetProperty("segment").GetString() == "");
        var alertId = alert.GetProperty("id").GetString()!;
        var slackLink = await SlackLinkAsync(slack, alertId);
        output.WriteLine($"alert {alertId}; Slack link {slackLink}");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath(), Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1366, Height = 768 }, BaseURL = server.BaseAddress.ToString() });
        // The other test classes run beside this one on two cores: give the pages time.
        page.SetDefaultTimeout(90_000);
        Assertions.SetDefaultExpectTimeout(30_000);
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") problems.Add(m.Text); };
        page.PageError += (_, e) => problems.Add(e);
        page.Response += (_, r) => { if (r.Status >= 400) problems.Add($"{r.Status} {r.Url}"); };

        // The tree: the North Star on top with its latest value, its change and an open-alert badge; children below.
        await page.GotoAsync("/");
        var northStar = page.Locator("table.tree tr[data-key='assistant_tasks']").First;
        await Assertions.Expect(northStar.Locator("[data-change]")).ToHaveTextAsync(ChangeText());
        await Assertions.Expect(northStar.Locator("svg.spark path")).ToHaveCountAsync(1);
        await Assertions.Expect(northStar.Locator("td").Last).ToHaveTextAsync(new Regex("^\\d+ open$"));
        await Assertions.Expect(northStar.Locator("td[data-latest]")).Not.ToHaveTextAsync("…");
        await Assertions.Expect(page.Locator("table.tree tr[data-key='assistant_sessions']")).ToContainTextAsync("input");
        await Assertions.Expect(page.Locator("table.tree tr[data-key='assistant_latency'] td").Last).ToContainTextAsync("ok");
        await ScreenshotAsync(page, "tree");

        // Into the North Star: the chart draws the deployment and the change point, the alert explains itself.
        await northStar.Locator("td.name a").ClickAsync();
        await page.WaitForURLAsync("**/nodes/assistant_tasks", new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.Locator("#chart svg")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#chart svg")).ToContainTextAsync("ranker 2.3.0");
        await Assertions.Expect(page.Locator("#markers li.deployment")).ToContainTextAsync("Deployment ranker 2.3.0 (model)");

        // Four weeks show the change against the weeks before it.
        await page.ClickAsync(".controls a:text-is('28d')");
        await page.WaitForURLAsync("**/nodes/assistant_tasks?period=28d", new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.Locator("#markers li.changepoint.bad").First).ToContainTextAsync("−");
        await Assertions.Expect(page.Locator("#chart svg")).ToContainTextAsync("change −");
        var card = page.Locator($"article.alert-card[data-alert='{alertId}']");
        await Assertions.Expect(card).ToContainTextAsync("ranker 2.3.0");
        await Assertions.Expect(card).ToContainTextAsync("before the change");
        await Assertions.Expect(card.Locator("dd").Filter(new() { HasTextRegex = PercentInterval() })).ToHaveCountAsync(1);
        await Assertions.Expect(card).ToContainTextAsync("plan=free");
        await Assertions.Expect(card).ToContainTextAsync("assistant_sessions");
        await ScreenshotAsync(page, "node");

        // Deployments: the model release with its estimated impact on the North Star, below zero.
        await page.ClickAsync("nav a[data-nav='deployments']");
        var impact = page.Locator("article.deployment-card", new() { HasText = "ranker 2.3.0" }).Locator("table.impact tr", new() { HasText = "assistant_tasks" });
        await Assertions.Expect(impact.Locator("td.num").First).ToHaveTextAsync(new Regex("^−\\d+(\\.\\d)? %$"));
        await Assertions.Expect(impact.Locator("td.num.bad")).ToHaveCountAsync(1);
        await ScreenshotAsync(page, "deployments");

        // Alerts: acknowledging needs the admin key; the page says so, then takes it from the header.
        await page.ClickAsync("nav a[data-nav='alerts']");
        var row = page.Locator($"tr[data-alert='{alertId}']");
        await Assertions.Expect(row).ToContainTextAsync("ranker 2.3.0");
        await row.Locator("button[data-explain]").ClickAsync();
        await Assertions.Expect(page.Locator($"tr[data-detail='{alertId}']")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "alerts");
        await row.Locator("button[data-action='acknowledge']").ClickAsync();
        await Assertions.Expect(row.Locator(".error")).ToContainTextAsync("admin key");
        await page.FillAsync("#admin-key", PipelineEnvironment.AdminKey);
        await page.ClickAsync("#key-form button");
        await row.Locator("button[data-action='acknowledge']").ClickAsync();
        await Assertions.Expect(page.Locator($"tr[data-alert='{alertId}']")).ToHaveCountAsync(0);
        using (var acknowledged = JsonDocument.Parse(await reader.GetStringAsync($"v1/alerts/{alertId}")))
        {
            Assert.Equal("acknowledged", acknowledged.RootElement.GetProperty("status").GetString());
        }

        await page.ClickAsync(".picker a[href='?status=acknowledged']");
        await Assertions.Expect(page.Locator($"tr[data-alert='{alertId}']")).ToContainTextAsync("acknowledged");

        // The Slack link lands on the node page at the alert's range, the alert in focus and the change on the chart.
        await page.GotoAsync(slackLink);
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("assistant tasks");
        await Assertions.Expect(page.Locator($"article.alert-card.focus[data-alert='{alertId}']")).ToContainTextAsync("acknowledged");
        await Assertions.Expect(page.Locator("#chart svg")).ToContainTextAsync("alert");
        await Assertions.Expect(page.Locator("#markers li.deployment")).ToContainTextAsync("ranker 2.3.0");
        await ScreenshotAsync(page, "slack-link");

        Assert.True(problems.Count == 0, "the pages logged errors:\n" + string.Join('\n', problems));
    }

    private static Regex ChangeText() => new("^[+−]?\\d+(\\.\\d)? %$");

    [GeneratedRegex("95 % interval −\\d")]
    private static partial Regex PercentInterval();

    private static async Task<string> SlackLinkAsync(SlackWebhookServer slack, string alertId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var body = slack.Requests.FirstOrDefault(r => r.Status == 200 && r.Body.Contains(alertId, StringComparison.Ordinal))?.Body;
            if (body is not null)
            {
                // The message's fallback text ends with the link.
                using var message = JsonDocument.Parse(body);
                var match = NodeLink().Match(message.RootElement.GetProperty("text").GetString() ?? "");
                Assert.True(match.Success, $"the Slack message has no dashboard link: {body}");
                return match.Groups[1].Value;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"no Slack message with a dashboard link for alert {alertId} within 60 s");
    }

    [GeneratedRegex(@"(http\S+/nodes/\S+)$")]
    private static partial Regex NodeLink();

    /// <summary>Debian's <c>chromium</c> (installed by deploy/test.sh), or the browser named by METRICPIPELINE_CHROMIUM.</summary>
    private static string ChromiumPath()
    {
        var path = Environment.GetEnvironmentVariable("METRICPIPELINE_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        Assert.True(File.Exists(path), $"no Chromium at {path}: install Debian's package (apt-get install -y chromium; deploy/test.sh does) or set METRICPIPELINE_CHROMIUM");
        return path;
    }

    /// <summary>Full-page PNGs under the test results folder (METRICPIPELINE_TEST_RESULTS, set by deploy/test.sh).</summary>
    private async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(Environment.GetEnvironmentVariable("METRICPIPELINE_TEST_RESULTS") is { Length: > 0 } results ? results : Path.Combine(AppContext.BaseDirectory, "TestResults"), "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"dashboard-{name}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
    }
}
