using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;
using static MetricPipeline.IntegrationTests.Detection.DetectionScenario;

namespace MetricPipeline.IntegrationTests.Detection;

/// <summary>
/// Three weeks of telemetry for three products, loaded once, and two passes run in order: as of 29 h after a drop of
/// "recover" (which recovers 30 h later), then as of the end, when "ack" has dropped too and "flat" never moved.
/// </summary>
public sealed class AlertLifecycleFixture : IAsyncLifetime
{
    public static readonly DateTime End = new(2026, 11, 9, 12, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime RecoverDrop = End.AddHours(-60);
    public static readonly DateTime AckDrop = End.AddHours(-30).AddMinutes(20);
    public static readonly DateTime FirstPassAt = RecoverDrop.AddHours(29);

    private static readonly string[] AckProduct = ["ack"];
    private static readonly string[] FlatMetric = ["flat_ns"];

    public PipelineEnvironment Environment { get; } = new();

    public ServerProcess Server { get; private set; } = null!;

    public JsonElement FirstPass { get; private set; }

    public JsonElement SecondPass { get; private set; }

    public List<JsonElement> AlertsAfterFirstPass { get; private set; } = [];

    public Guid AckDeployment { get; private set; }

    public Guid FlatDeployment { get; private set; }

    public async Task InitializeAsync()
    {
        await Environment.InitializeAsync();
        Server = await Environment.StartServerAsync("all", new Dictionary<string, string> { ["Detector__Enabled"] = "false" });
        using var admin = Server.Client(PipelineEnvironment.AdminKey);
        using var ingest = Server.Client(PipelineEnvironment.IngestKey);
        using var reader = Server.Client();
        await ApplyRegistryAsync(
            admin,
            Metric("recover_ns", "north_star", "recover", "r_done"),
            Metric("ack_ns", "north_star", "ack", "a_done"),
            Metric("flat_ns", "north_star", "flat", "f_done"));
        var series = new Series[]
        {
            new("recover_ns", "recover", "r_done", new Dictionary<string, double> { ["free"] = 500, ["pro"] = 500 }),
            new("ack_ns", "ack", "a_done", new Dictionary<string, double> { ["free"] = 500, ["pro"] = 500 }),
            new("flat_ns", "flat", "f_done", new Dictionary<string, double> { ["free"] = 500, ["pro"] = 500 }),
        };
        LevelChange[] changes =
        [
            new("recover_ns", "free", RecoverDrop, 0.8), new("recover_ns", "pro", RecoverDrop, 0.8),
            new("recover_ns", "free", RecoverDrop.AddHours(30), 1.25), new("recover_ns", "pro", RecoverDrop.AddHours(30), 1.25),
            new("ack_ns", "free", AckDrop, 0.8), new("ack_ns", "pro", AckDrop, 0.8),
        ];
        await IngestAsync(ingest, reader, series, Generate(series, End, 21 * 24, changes, seed: 11), End, 21 * 24);
        AckDeployment = await DeployAsync(admin, new { service = "ack-model", version = "3", kind = "model", startedAt = Iso(AckDrop.AddMinutes(-20)), products = AckProduct });
        FlatDeployment = await DeployAsync(admin, new { service = "flat-flag", version = "on", kind = "feature_flag", startedAt = Iso(End.AddHours(-30)), metrics = FlatMetric });

        FirstPass = await RunPassAsync(admin, FirstPassAt);
        AlertsAfterFirstPass = await AlertsAsync(reader);
        SecondPass = await RunPassAsync(admin, End);
    }

    public async Task DisposeAsync() => await Environment.DisposeAsync();
}

public sealed class AlertLifecycleTests(AlertLifecycleFixture fixture) : IClassFixture<AlertLifecycleFixture>
{
    private static readonly string[] NoSuchProduct = ["nosuch"];
    private static readonly string[] MissingMetric = ["missing_metric"];

    [Fact]
    public async Task An_alert_resolves_when_the_metric_is_back_in_range_and_the_recovery_is_not_a_new_alert()
    {
        var opened = Assert.Single(fixture.AlertsAfterFirstPass, a => a.GetProperty("metric").GetString() == "recover_ns" && a.GetProperty("segment").GetString() == "");
        Assert.Equal("open", opened.GetProperty("status").GetString());
        Assert.InRange(opened.GetProperty("relativeChange").GetDouble(), -0.23, -0.17);

        using var reader = fixture.Server.Client();
        var now = await AlertsAsync(reader, "?metric=recover_ns");
        var total = Assert.Single(now, a => a.GetProperty("segment").GetString() == "");
        Assert.Equal(opened.GetProperty("id").GetGuid(), total.GetProperty("id").GetGuid());
        Assert.Equal("resolved", total.GetProperty("status").GetString());
        Assert.All(now, a => Assert.Equal("resolved", a.GetProperty("status").GetString()));
        Assert.DoesNotContain(now, a => a.GetProperty("direction").GetString() == "good");

        using var detail = JsonDocument.Parse(await reader.GetStringAsync($"v1/alerts/{total.GetProperty("id").GetGuid()}"));
        var events = detail.RootElement.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("event").GetString()).ToList();
        Assert.Equal("opened", events[0]);
        Assert.Contains("resolved", events);
    }

    [Fact]
    public async Task Acknowledge_and_resolve_need_an_admin_key_change_the_status_and_keep_the_history()
    {
        using var reader = fixture.Server.Client();
        using var admin = fixture.Server.Client(PipelineEnvironment.AdminKey);
        var alert = Assert.Single(await AlertsAsync(reader, "?metric=ack_ns"), a => a.GetProperty("segment").GetString() == "");
        var id = alert.GetProperty("id").GetGuid();
        Assert.Equal("open", alert.GetProperty("status").GetString());
        Assert.Equal(AckDeploymentIds(alert), [fixture.AckDeployment]);

        Assert.Equal(HttpStatusCode.Unauthorized, (await reader.PostAsync($"v1/alerts/{id}/acknowledge", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"v1/alerts/{Guid.NewGuid()}/acknowledge", null)).StatusCode);

        var acknowledged = await admin.PostAsync($"v1/alerts/{id}/acknowledge", null);
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        Assert.Equal("acknowledged", (await acknowledged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Single(await AlertsAsync(reader, "?status=acknowledged&metric=ack_ns"));

        var resolved = await admin.PostAsync($"v1/alerts/{id}/resolve", null);
        Assert.Equal("resolved", (await resolved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var again = await admin.PostAsync($"v1/alerts/{id}/acknowledge", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already resolved", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var detail = JsonDocument.Parse(await reader.GetStringAsync($"v1/alerts/{id}"));
        Assert.Equal(id, detail.RootElement.GetProperty("id").GetGuid());
        Assert.Equal("resolved", detail.RootElement.GetProperty("status").GetString());
        var events = detail.RootElement.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("event").GetString()).ToList();
        Assert.Equal(["opened", "acknowledged", "resolved"], events.Where(e => e is "opened" or "acknowledged" or "resolved"));
        Assert.Equal(HttpStatusCode.BadRequest, (await reader.GetAsync("v1/alerts?status=closed")).StatusCode);
    }

    [Fact]
    public async Task A_flat_metric_opens_no_alert_and_a_second_pass_opens_nothing_new()
    {
        using var reader = fixture.Server.Client();
        Assert.Empty(await AlertsAsync(reader, "?metric=flat_ns"));
        using var admin = fixture.Server.Client(PipelineEnvironment.AdminKey);
        var again = await RunPassAsync(admin, AlertLifecycleFixture.End);
        Assert.Equal(0, again.GetProperty("alertsOpened").GetInt32());
    }

    [Fact]
    public async Task Impact_of_a_deployment_is_below_zero_for_a_drop_and_spans_zero_for_no_change()
    {
        using var reader = fixture.Server.Client();
        var drop = Assert.Single((await reader.GetFromJsonAsync<JsonElement>($"v1/deployments/{fixture.AckDeployment}/impact")).GetProperty("metrics").EnumerateArray());
        Assert.Equal("ack_ns", drop.GetProperty("metric").GetString());
        Assert.InRange(drop.GetProperty("relative").GetDouble(), -0.23, -0.15);
        Assert.True(drop.GetProperty("high").GetDouble() < 0, drop.ToString());

        var flat = Assert.Single((await reader.GetFromJsonAsync<JsonElement>($"v1/deployments/{fixture.FlatDeployment}/impact")).GetProperty("metrics").EnumerateArray());
        Assert.True(flat.GetProperty("low").GetDouble() <= 0 && flat.GetProperty("high").GetDouble() >= 0, flat.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"v1/deployments/{Guid.NewGuid()}/impact")).StatusCode);
    }

    [Fact]
    public async Task A_deployment_with_bad_fields_is_refused_with_every_problem_named()
    {
        using var admin = fixture.Server.Client(PipelineEnvironment.AdminKey);
        var response = await admin.PostAsJsonAsync("v1/deployments", new
        {
            service = "",
            kind = "rollout",
            startedAt = "yesterday",
            products = NoSuchProduct,
            metrics = MissingMetric,
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains("\"service\" must not be empty", detail, StringComparison.Ordinal);
        Assert.Contains("\"version\" is required", detail, StringComparison.Ordinal);
        Assert.Contains("\"kind\" 'rollout' is not one of model, feature_flag, config, incident, external", detail, StringComparison.Ordinal);
        Assert.Contains("\"startedAt\" is not an ISO 8601 date-time", detail, StringComparison.Ordinal);
        Assert.Contains("product 'nosuch' has no metrics in the registry", detail, StringComparison.Ordinal);
        Assert.Contains("metric 'missing_metric' is not in the registry", detail, StringComparison.Ordinal);

        var future = await admin.PostAsJsonAsync("v1/deployments", new { service = "s", version = "1", startedAt = Iso(DateTime.UtcNow.AddDays(2)) });
        Assert.Contains("in the future", await future.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var backwards = await admin.PostAsJsonAsync("v1/deployments", new { service = "s", version = "1", startedAt = "2026-11-01T10:00:00Z", endedAt = "2026-11-01T09:00:00Z" });
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Contains("\"endedAt\" 2026-11-01T09:00:00.0000000+00:00 is before \"startedAt\"", (await backwards.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Server.Client().PostAsJsonAsync("v1/deployments", new { service = "s", version = "1", startedAt = "2026-11-01T10:00:00Z" })).StatusCode);
    }

    private static List<Guid> AckDeploymentIds(JsonElement alert) =>
        [.. alert.GetProperty("deployments").EnumerateArray().Select(d => d.GetProperty("id").GetGuid())];
}
