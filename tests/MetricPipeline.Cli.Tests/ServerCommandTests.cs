using System.Text.Json;

namespace MetricPipeline.Cli.Tests;

/// <summary>The server-facing commands, run as the real binary against a recording HTTP server.</summary>
public class ServerCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("metricpipe-cli-").FullName;

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    private static CannedResponse AcceptAll(RecordedRequest request)
    {
        var lines = request.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        return new CannedResponse(202, $$"""{"accepted":{{lines}},"rejected":[]}""");
    }

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Event(int i) => $$"""{"id":"00000000-0000-4000-8000-00000000000{{i}}","product":"assistant","name":"task_completed","timestamp":"2026-11-20T10:00:00Z"}""";

    [Fact]
    public async Task Send_posts_ndjson_in_chunks_with_the_bearer_key()
    {
        await using var server = new RecordingServer(AcceptAll);
        var file = WriteFile("events.ndjson", $"{Event(1)}\n{Event(2)}\n\n{Event(3)}\n{Event(4)}\n");

        var result = await CliRunner.RunAsync("send", "--file", file, "--chunk-size", "3", "--server", server.Url, "--key", "ingest-1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("accepted 4, rejected 0", result.StdOut.Trim());
        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.Equal("/v1/events", r.PathAndQuery);
            Assert.Equal("Bearer ingest-1", r.Header("Authorization"));
            Assert.StartsWith("application/x-ndjson", r.Header("Content-Type"), StringComparison.Ordinal);
        });
        Assert.Equal($"{Event(1)}\n{Event(2)}\n{Event(3)}\n", server.Requests[0].Body);
        Assert.Equal($"{Event(4)}\n", server.Requests[1].Body);
    }

    [Fact]
    public async Task Send_names_the_file_line_of_each_rejected_event_and_exits_non_zero()
    {
        await using var server = new RecordingServer(_ => new CannedResponse(202, """{"accepted":2,"rejected":[{"index":1,"error":"\"timestamp\" is required"}]}"""));
        var file = WriteFile("events.ndjson", $"{Event(1)}\n\n{Event(2)}\n{Event(3)}\n");

        var result = await CliRunner.RunAsync("send", "--file", file, "--server", server.Url, "--key", "k");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("rejected line 3: \"timestamp\" is required", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("accepted 2, rejected 1", result.StdOut, StringComparison.Ordinal);
        Assert.Equal("error: 1 of 3 events were rejected (listed above)", result.StdErr.Trim());
    }

    [Fact]
    public async Task Problem_json_error_becomes_one_line_on_stderr()
    {
        await using var server = new RecordingServer(_ => new CannedResponse(
            401, """{"type":"about:blank","title":"Unauthorized","status":401,"detail":"missing or unknown ingest key:\nsend Authorization: Bearer <key>"}""", "application/problem+json"));
        var file = WriteFile("events.ndjson", Event(1) + "\n");

        var result = await CliRunner.RunAsync("send", "--file", file, "--server", server.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.StdOut);
        Assert.Equal(
            "error: POST /v1/events failed with 401 Unauthorized: missing or unknown ingest key: send Authorization: Bearer <key>",
            result.StdErr.TrimEnd('\n'));
    }

    [Fact]
    public async Task Unreachable_server_is_a_one_line_error()
    {
        var port = RecordingServer.FreePort();

        var result = await CliRunner.RunAsync("alerts", "--server", $"http://127.0.0.1:{port}");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: cannot reach the server at http://127.0.0.1:{port}/", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_apply_posts_the_yaml_document()
    {
        await using var server = new RecordingServer(_ => new CannedResponse(200, """{"applied":16}"""));
        var seeds = SeedFiles.PathOf("metrics.yaml");

        var result = await CliRunner.RunAsync("metrics", "apply", "-f", seeds, "--server", server.Url, "--key", "admin-1");

        Assert.Equal(0, result.ExitCode);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/registry", request.PathAndQuery);
        Assert.Equal("Bearer admin-1", request.Header("Authorization"));
        Assert.StartsWith("application/yaml", request.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(seeds), request.Body);
        var count = File.ReadAllLines(seeds).Count(l => l.TrimStart().StartsWith("- key:", StringComparison.Ordinal));
        Assert.Equal($"applied {count} metrics from metrics.yaml", result.StdOut.Trim());
    }

    [Fact]
    public async Task Metrics_apply_refuses_a_malformed_document_before_calling_the_server()
    {
        await using var server = new RecordingServer(_ => new CannedResponse(200, "{}"));
        var file = WriteFile("bad.yaml", "metrics:\n  - key: a\n    name: A\n    event: e\n    role: boss\n");

        var result = await CliRunner.RunAsync("metrics", "apply", "-f", file, "--server", server.Url, "--key", "k");

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(server.Requests);
        Assert.Equal(
            "error: bad.yaml: metric 'a', field 'role' (line 5): 'boss' is not one of north_star, input, lever, guardrail",
            result.StdErr.Trim());
    }

    [Fact]
    public async Task Registry_refusal_from_the_server_is_shown()
    {
        await using var server = new RecordingServer(_ => new CannedResponse(
            400, """{"title":"Invalid registry","status":400,"detail":"metric 'a' would create a cycle: a → b → a"}""", "application/problem+json"));

        var result = await CliRunner.RunAsync("metrics", "apply", "-f", SeedFiles.PathOf("metrics.yaml"), "--server", server.Url, "--key", "k");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: POST /v1/registry failed with 400 Bad Request: metric 'a' would create a cycle: a → b → a", result.StdErr.Trim());
    }

    private const string Series = """
        {"metric":"ai_tasks_completed","grain":"hour","segment":"plan:free","points":[
          {"t":"2026-11-20T10:00:00Z","value":123.0,"trend":120.5,"seasonal":2.25,"remainder":0.25},
          {"t":"2026-11-20T11:00:00Z","value":98.5,"trend":119.0,"seasonal":-3.5,"remainder":-17}],
         "changePoints":[{"t":"2026-11-20T11:00:00Z","before":120,"after":100,"relativeChange":-0.1667}],
         "anomalies":[],"deployments":[{"id":"d-7","service":"assistant-model","version":"v8","t":"2026-11-20T10:55:00Z"}]}
        """;

    [Fact]
    public async Task History_builds_the_series_query_and_prints_an_aligned_table()
    {
        await using var server = new RecordingServer(_ => new CannedResponse(200, Series));

        var result = await CliRunner.RunAsync(
            "history", "ai_tasks_completed", "--from", "2026-11-20T10:00:00Z", "--to", "2026-11-21T00:00:00+01:00",
            "--grain", "hour", "--segment", "plan:free", "--server", server.Url);

        Assert.Equal(0, result.ExitCode);
        var request = Assert.Single(server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal(
            "/v1/metrics/ai_tasks_completed/series?from=2026-11-20T10%3A00%3A00Z&to=2026-11-20T23%3A00%3A00Z&grain=hour&segment=plan%3Afree",
            request.PathAndQuery);
        Assert.StartsWith("application/json", request.Header("Accept"), StringComparison.Ordinal);
        var lines = result.StdOut.Split('\n');
        Assert.Equal("ai_tasks_completed  grain hour  segment plan:free", lines[0]);
        Assert.Equal("t                     value  trend  seasonal  remainder", lines[1]);
        Assert.Equal("2026-11-20T10:00:00Z  123    120.5  2.25      0.25", lines[2]);
        Assert.Equal("2026-11-20T11:00:00Z  98.5   119    -3.5      -17", lines[3]);
        Assert.Contains("2026-11-20T11:00:00Z  120     100    -16.7%", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("d-7         assistant-model  v8       2026-11-20T10:55:00Z", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_as_csv_asks_for_text_csv_and_prints_it_unchanged()
    {
        const string csv = "t,value\n2026-11-20T10:00:00Z,123\n";
        await using var server = new RecordingServer(_ => new CannedResponse(200, csv, "text/csv"));

        var result = await CliRunner.RunAsync("history", "ai_tasks_completed", "--format", "csv", "--server", server.Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("text/csv", Assert.Single(server.Requests).Header("Accept"));
        Assert.Equal("/v1/metrics/ai_tasks_completed/series", server.Requests[0].PathAndQuery);
        Assert.Equal(csv, result.StdOut);
    }

    [Fact]
    public async Task History_refuses_a_segment_without_a_colon()
    {
        await using var server = new RecordingServer(_ => new CannedResponse(200, Series));

        var result = await CliRunner.RunAsync("history", "x", "--segment", "plan=free", "--server", server.Url);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(server.Requests);
        Assert.Equal("error: --segment 'plan=free' must be dimension:value, e.g. plan:free", result.StdErr.Trim());
    }

    [Fact]
    public async Task Deploy_posts_the_deployment_and_prints_its_id()
    {
        await using var server = new RecordingServer(_ => new CannedResponse(201, """{"id":"d-42"}"""));

        var result = await CliRunner.RunAsync(
            "deploy", "--service", "assistant-model", "--version", "v8", "--kind", "model", "--at", "2026-11-16T09:00:00Z",
            "--product", "assistant", "--metric", "ai_tasks_completed", "--metric", "suggestion_acceptance_rate",
            "--description", "v7 to v8", "--server", server.Url, "--key", "admin-1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("d-42", result.StdOut.Trim());
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/deployments", request.PathAndQuery);
        Assert.Equal("Bearer admin-1", request.Header("Authorization"));
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal("assistant-model", root.GetProperty("service").GetString());
        Assert.Equal("v8", root.GetProperty("version").GetString());
        Assert.Equal("model", root.GetProperty("kind").GetString());
        Assert.Equal(new DateTimeOffset(2026, 11, 16, 9, 0, 0, TimeSpan.Zero), root.GetProperty("startedAt").GetDateTimeOffset());
        Assert.Equal("v7 to v8", root.GetProperty("description").GetString());
        Assert.Equal(["assistant"], root.GetProperty("products").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["ai_tasks_completed", "suggestion_acceptance_rate"], root.GetProperty("metrics").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Deploy_refuses_an_unknown_kind()
    {
        var result = await CliRunner.RunAsync("deploy", "--service", "s", "--version", "1", "--kind", "rollout", "--server", "http://127.0.0.1:1");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("rollout", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alerts_filters_by_status_and_metric_and_prints_a_table()
    {
        await using var server = new RecordingServer(_ => new CannedResponse(200, """
            [{"id":"a-1","metric":"ai_tasks_completed","segment":"plan:free","kind":"level_shift","changeAt":"2026-11-19T12:00:00Z",
              "relativeChange":-0.148,"direction":"bad","status":"open","deployments":[{"id":"d-1","service":"assistant-model","version":"v8","lagMinutes":4}]},
             {"id":"a-2","metric":"ai_tasks_completed","segment":"","kind":"level_shift","changeAt":"2026-11-19T12:00:00Z",
              "relativeChange":-0.061,"direction":"bad","status":"open","deployments":[]}]
            """));

        var result = await CliRunner.RunAsync("alerts", "--status", "open", "--metric", "ai_tasks_completed", "--server", server.Url);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("/v1/alerts?status=open&metric=ai_tasks_completed", Assert.Single(server.Requests).PathAndQuery);
        var lines = result.StdOut.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal("id   metric              segment    kind         change at             change  direction  status  deployments", lines[0]);
        Assert.Equal("a-1  ai_tasks_completed  plan:free  level_shift  2026-11-19T12:00:00Z  -14.8%  bad        open    assistant-model@v8", lines[1]);
        Assert.Equal("a-2  ai_tasks_completed  total      level_shift  2026-11-19T12:00:00Z  -6.1%   bad        open", lines[2]);
    }

    [Fact]
    public async Task Simulate_sends_every_generated_event_as_ndjson()
    {
        await using var server = new RecordingServer(AcceptAll);

        var result = await CliRunner.RunAsync(
            "simulate", "--scenario", SeedFiles.PathOf("scenario.yaml"), "--from", "2026-11-02T00:00:00Z", "--hours", "6",
            "--server", server.Url, "--key", "ingest-1");

        Assert.Equal(0, result.ExitCode);
        Assert.NotEmpty(server.Requests);
        Assert.All(server.Requests, r =>
        {
            Assert.Equal("/v1/events", r.PathAndQuery);
            Assert.Equal("Bearer ingest-1", r.Header("Authorization"));
            Assert.StartsWith("application/x-ndjson", r.Header("Content-Type"), StringComparison.Ordinal);
        });
        var lines = server.Requests.SelectMany(r => r.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.All(server.Requests, r => Assert.True(r.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 5000));
        Assert.Equal($"accepted {lines.Count}, rejected 0 (2026-11-02T00:00:00Z to 2026-11-02T06:00:00Z)", result.StdOut.Trim());
        var ids = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Contains("effect 'assistant model v8 rollout' at 2026-11-19T12:00:00Z (hour 420)", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_with_a_speed_sends_each_hour_after_its_time_has_passed()
    {
        await using var server = new RecordingServer(AcceptAll);
        var started = System.Diagnostics.Stopwatch.StartNew();

        // 4 simulated hours per second: hour h goes out at (h + 1) / 4 s, so 2 hours take at least 0.5 s.
        var result = await CliRunner.RunAsync(
            "simulate", "--scenario", SeedFiles.PathOf("scenario.yaml"), "--from", "2026-11-02T00:00:00Z", "--hours", "2", "--speed", "4",
            "--server", server.Url, "--key", "k");

        Assert.Equal(0, result.ExitCode);
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(0.5), $"took {started.Elapsed}");
        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests[0].Body.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Contains("\"timestamp\":\"2026-11-02T00:", l, StringComparison.Ordinal));
        Assert.All(server.Requests[1].Body.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Contains("\"timestamp\":\"2026-11-02T01:", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Simulate_to_a_file_is_repeatable_and_needs_no_server()
    {
        var first = Path.Combine(_dir, "a.ndjson");
        var second = Path.Combine(_dir, "b.ndjson");
        string[] args = ["simulate", "--scenario", SeedFiles.PathOf("scenario.yaml"), "--from", "2026-11-02T00:00:00Z", "--hours", "3", "--server", "http://127.0.0.1:1"];

        var a = await CliRunner.RunAsync([.. args, "--out", first]);
        var b = await CliRunner.RunAsync([.. args, "--out", second]);

        Assert.Equal(0, a.ExitCode);
        Assert.Equal(0, b.ExitCode);
        Assert.Equal(File.ReadAllText(first), File.ReadAllText(second));
        var lineCount = File.ReadAllLines(first).Length;
        Assert.InRange(lineCount, 1000, 10000);
        Assert.StartsWith($"wrote {lineCount} events", a.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_reports_a_bad_scenario_in_one_line()
    {
        var file = WriteFile("scenario.yaml", "products: []\nseasonality: { daily: [1, 2] }\n");

        var result = await CliRunner.RunAsync("simulate", "--scenario", file, "--out", Path.Combine(_dir, "x.ndjson"));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: scenario.yaml: scenario has no products; seasonality.daily needs 24 values (one per UTC hour), got 2", result.StdErr.Trim());
    }
}
