using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>
/// Hostile and malformed input, sent the way an attacker or a broken client would: each request is answered with a
/// clear 4xx problem (a <c>detail</c>) within a second, never a 5xx; the server's memory barely moves; and the good
/// events sent beside the bad ones are counted exactly once.
/// </summary>
public sealed class HostileInputTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>, IAsyncLifetime
{
    private static readonly DateTime Hour = new(2026, 10, 5, 11, 0, 0, DateTimeKind.Utc);
    private ServerProcess server = null!;
    private PipelineApi api = null!;

    public async Task InitializeAsync()
    {
        server = await environment.StartServerAsync("all");
        api = new PipelineApi(server);
        await api.ApplyRegistryAsync(TestTelemetry.RegistryJson);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>One hostile request, what it is, and the 4xx status it must get.</summary>
    /// <remarks><paramref name="RefusedByKestrel"/>: the web server refuses the request line itself (a NUL in the path) before any of
    /// the application's code runs, with a bare 400 that the application cannot give a detail.</remarks>
    public sealed record HostileCase(string Name, Func<HttpRequestMessage> Request, HttpStatusCode Expected, bool RefusedByKestrel = false);

    public static IEnumerable<HostileCase> Cases(Uri server)
    {
        HttpRequestMessage Events(byte[] body, string? contentType = "application/json") =>
            Post("v1/events", PipelineEnvironment.IngestKey, body, contentType);
        HttpRequestMessage Registry(string body, string? contentType) =>
            Post("v1/registry", PipelineEnvironment.AdminKey, Encoding.UTF8.GetBytes(body), contentType);
        HttpRequestMessage Get(string path) => new(HttpMethod.Get, AsWritten(server, path));

        yield return new("events as text/plain", () => Events("[]"u8.ToArray(), "text/plain"), HttpStatusCode.UnsupportedMediaType);
        yield return new("events without a content type", () => Events("[]"u8.ToArray(), null), HttpStatusCode.UnsupportedMediaType);
        yield return new("registry as text/plain", () => Registry(TestTelemetry.RegistryJson, "text/plain"), HttpStatusCode.UnsupportedMediaType);
        yield return new("registry without a content type", () => Registry(TestTelemetry.RegistryJson, null), HttpStatusCode.UnsupportedMediaType);

        yield return new("YAML alias loop", () => Registry("metrics: &m\n  - *m\n", "application/yaml"), HttpStatusCode.BadRequest);
        yield return new("YAML alias bomb", () => Registry(AliasBomb(), "application/yaml"), HttpStatusCode.BadRequest);
        yield return new("YAML nested 100,000 deep", () => Registry("metrics: " + new string('[', 100_000), "application/yaml"), HttpStatusCode.BadRequest);
        yield return new("JSON nested 100,000 deep", () => Registry("{\"metrics\": " + new string('[', 100_000), "application/json"), HttpStatusCode.BadRequest);
        yield return new("registry document of 3 MB", () => Registry("metrics:\n" + string.Concat(Enumerable.Repeat("  - key: k\n", 300_000)), "application/yaml"), HttpStatusCode.RequestEntityTooLarge);
        yield return new("registry with 5,000 metrics", () => Registry(ManyMetrics(5_000), "application/json"), HttpStatusCode.BadRequest);
        yield return new("metric key of 2,000 characters", () => Registry(Metric(new string('k', 2_000), "Tasks"), "application/json"), HttpStatusCode.BadRequest);
        yield return new("metric name with a NUL", () => Registry(Metric("nul_name", "a\\u0000b"), "application/json"), HttpStatusCode.BadRequest);
        yield return new("metric name of 5,000 characters", () => Registry(Metric("long_name", new string('n', 5_000)), "application/json"), HttpStatusCode.BadRequest);

        foreach (var target in new[] { "http://127.0.0.1:8080/hook", "https://127.0.0.1/hook", "http://169.254.169.254/latest/meta-data/", "https://10.0.0.1/hook", "https://[::1]/hook", "https://attacker.example/hook" })
        {
            yield return new($"alert.slackWebhook {target}", () => Registry(Webhook(target), "application/json"), HttpStatusCode.BadRequest);
        }

        yield return new("series to=0001-01-01T00:30Z", () => Get("v1/metrics/tasks/series?to=0001-01-01T00:30Z"), HttpStatusCode.BadRequest);
        yield return new("series ending in 9999 at hour grain", () => Get("v1/metrics/tasks/series?from=9999-12-30T00:00Z&to=9999-12-31T23:00Z&grain=hour"), HttpStatusCode.BadRequest);
        yield return new("series ending in 9999 at week grain", () => Get("v1/metrics/tasks/series?from=9999-01-01T00:00Z&to=9999-12-31T23:59:59Z&grain=week"), HttpStatusCode.BadRequest);
        yield return new("segments from year 1", () => Get("v1/metrics/tasks/segments?from=0001-01-01T00:00Z&to=0001-01-02T00:00Z"), HttpStatusCode.BadRequest);
        yield return new("segment=plan:%00", () => Get("v1/metrics/tasks/series?segment=plan:%00free"), HttpStatusCode.BadRequest);
        yield return new("segment value of 5,000 bytes", () => Get("v1/metrics/tasks/series?segment=plan:" + new string('x', 5_000)), HttpStatusCode.BadRequest);
        yield return new("metric key %00 in the path", () => Get("v1/metrics/ta%00sks"), HttpStatusCode.BadRequest, RefusedByKestrel: true);
        yield return new("metric key %ED%A0%80 (a lone surrogate as UTF-8)", () => Get("v1/metrics/%ED%A0%80/series"), HttpStatusCode.NotFound);

        yield return new("PUT /v1/metrics/../../buckets", () => Put(server, "v1/metrics/../../buckets"), HttpStatusCode.NotFound);
        yield return new("PUT /v1/metrics/%2e%2e%2f%2e%2e%2fbuckets", () => Put(server, "v1/metrics/%2e%2e%2f%2e%2e%2fbuckets"), HttpStatusCode.BadRequest);
        yield return new("PUT /v1/metrics/..%2f..%2fbuckets", () => Put(server, "v1/metrics/..%2f..%2fbuckets"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Every_hostile_request_gets_a_clear_4xx_within_a_second_and_memory_stays_flat()
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await WarmUpAsync(client);
        var before = server.WorkingSetBytes;
        var failures = new List<string>();
        foreach (var hostile in Cases(server.BaseAddress))
        {
            using var request = hostile.Request();
            var watch = Stopwatch.StartNew();
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            watch.Stop();
            var detail = Detail(body);
            if (response.StatusCode != hostile.Expected || (detail is null && !hostile.RefusedByKestrel) || watch.Elapsed > TimeSpan.FromSeconds(1))
            {
                failures.Add($"{hostile.Name}: {(int)response.StatusCode} in {watch.ElapsedMilliseconds} ms, expected {(int)hostile.Expected} with a detail; body {Clip(body)}");
            }
        }

        GC.KeepAlive(before);
        var growth = server.WorkingSetBytes - before;
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(growth < 50L * 1024 * 1024, $"server memory grew by {growth / 1024 / 1024} MB over the hostile requests");
        Assert.DoesNotContain("Unhandled exception", server.Log, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Events_with_text_the_database_refuses_are_rejected_one_by_one_and_their_neighbours_are_counted_once()
    {
        var good = Enumerable.Range(0, 4).Select(_ => Guid.NewGuid()).ToList();
        string Event(Guid id, string plan = "pro", string name = "suggestion_shown", string user = "u1") =>
            $$$"""{"id":"{{{id}}}","product":"app","name":"{{{name}}}","timestamp":"{{{PipelineApi.Iso(Hour.AddMinutes(7))}}}","userId":"{{{user}}}","properties":{"plan":"{{{plan}}}"}}""";
        var array = new List<(string Json, string? Error)>
        {
            (Event(good[0]), null),
            (Event(Guid.NewGuid(), plan: "pro\\u0000"), "NUL"),
            (Event(Guid.NewGuid(), name: "shown\\u0000"), "NUL"),
            (Event(Guid.NewGuid(), user: "\\u0000"), "NUL"),
            (Event(Guid.NewGuid(), plan: "\\ud800"), "UTF-8"),
            (Event(Guid.NewGuid(), plan: "\\udc00x"), "UTF-8"),
            (Event(Guid.NewGuid(), name: new string('n', 2_000)), "longer than"),
            (Event(Guid.NewGuid(), plan: string.Concat(Enumerable.Repeat("\u4e00", 1_000))), "longer than"),
            (Event(good[1]), null),
        };
        var bytes = new List<byte>("["u8.ToArray());
        for (var i = 0; i < array.Count; i++)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes((i > 0 ? "," : "") + array[i].Json));
        }

        // Raw bytes that are not UTF-8, in the id, the name, a property name and a property value.
        var invalid = new (string Template, string Error)[]
        {
            ("{\"id\":\"\xff\xfe\",\"product\":\"app\",\"name\":\"suggestion_shown\",\"timestamp\":\"T\"}", "UTF-8"),
            ("{\"id\":\"ID\",\"product\":\"app\",\"name\":\"shown\xc3\x28\",\"timestamp\":\"T\"}", "UTF-8"),
            ("{\"id\":\"ID\",\"product\":\"app\",\"name\":\"suggestion_shown\",\"timestamp\":\"T\",\"properties\":{\"pl\xe2\x82" + "an\":\"pro\"}}", "UTF-8"),
            ("{\"id\":\"ID\",\"product\":\"app\",\"name\":\"suggestion_shown\",\"timestamp\":\"T\",\"properties\":{\"plan\":\"\xed\xa0\x80\"}}", "UTF-8"),
        };
        foreach (var (template, error) in invalid)
        {
            var json = template.Replace("ID", Guid.NewGuid().ToString(), StringComparison.Ordinal).Replace("\"T\"", $"\"{PipelineApi.Iso(Hour)}\"", StringComparison.Ordinal);
            bytes.AddRange(","u8.ToArray());
            bytes.AddRange(json.Select(c => (byte)c));
            array.Add((json, error));
        }

        bytes.AddRange(Encoding.UTF8.GetBytes("," + Event(good[2]) + "]"));
        array.Add((Event(good[2]), null));

        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var response = await client.SendAsync(Post("v1/events", PipelineEnvironment.IngestKey, [.. bytes], "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(3, doc.RootElement.GetProperty("accepted").GetInt32());
        var rejected = doc.RootElement.GetProperty("rejected").EnumerateArray().ToDictionary(r => r.GetProperty("index").GetInt32(), r => r.GetProperty("error").GetString()!);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i].Error is { } error)
            {
                Assert.True(rejected.TryGetValue(i, out var reason), $"item {i} was not rejected: {body}");
                Assert.Contains(error, reason, StringComparison.Ordinal);
            }
        }

        // NDJSON: a line of bytes that are not UTF-8 loses only itself.
        var ndjson = Encoding.UTF8.GetBytes(Event(good[3]) + "\n").Concat("{\"id\":\"\xff\"}\n".Select(c => (byte)c)).ToArray();
        using var ndResponse = await client.SendAsync(Post("v1/events", PipelineEnvironment.IngestKey, ndjson, "application/x-ndjson"));
        var ndBody = await ndResponse.Content.ReadAsStringAsync();
        Assert.True(ndResponse.StatusCode == HttpStatusCode.Accepted, ndBody);
        Assert.Contains("\"accepted\":1", ndBody, StringComparison.Ordinal);

        await api.WaitForTotalAsync("shown", good.Count, Hour, Hour.AddHours(1), TimeSpan.FromSeconds(60));
        await Task.Delay(1_500);
        Assert.Equal(good.Count, (await api.SegmentTotalsAsync("shown", Hour, Hour.AddHours(1)))[""]);
    }

    private static async Task WarmUpAsync(HttpClient client)
    {
        // The first request of each kind JIT-compiles its path; memory is measured after that.
        foreach (var hostile in Cases(client.BaseAddress!).Take(4))
        {
            using var request = hostile.Request();
            using var _ = await client.SendAsync(request);
        }

        await client.GetAsync("v1/metrics/tasks/series");
    }

    private static HttpRequestMessage Post(string path, string key, byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

        private static HttpRequestMessage Put(Uri server, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, AsWritten(server, path)) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", PipelineEnvironment.AdminKey);
        return request;
    }

    /// <summary>An absolute URL kept exactly as written: no dot segments resolved, no escapes decoded.</summary>
    private static Uri AsWritten(Uri server, string path) =>
        new(server.GetLeftPart(UriPartial.Authority) + "/" + path, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    private static string AliasBomb()
    {
        var sb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var level = 'b'; level <= 'i'; level++)
        {
            var previous = (char)(level - 1);
            sb.Append(level).Append(": &").Append(level).Append(" [").Append(string.Join(",", Enumerable.Repeat("*" + previous, 9))).Append("]\n");
        }

        return sb.Append("metrics: *i\n").ToString();
    }

    private static string ManyMetrics(int count) =>
        "{\"metrics\": [" + string.Join(",", Enumerable.Range(0, count).Select(i => $"{{\"key\":\"m{i}\",\"name\":\"M\",\"kind\":\"count\",\"event\":\"e\"}}")) + "]}";

    private static string Metric(string key, string name) =>
        $$"""{"metrics": [{"key":"{{key}}","name":"{{name}}","role":"input","kind":"count","event":"e","parents":[]}]}""";

    private static string Webhook(string url) =>
        $$$"""{"metrics": [{"key":"hooked","name":"Hooked","role":"input","kind":"count","event":"e","alert":{"slackWebhook":"{{{url}}}"}}]}""";

    private static string? Detail(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("detail", out var d) && d.GetString() is { Length: > 0 } text ? text : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Clip(string s) => s.Length <= 300 ? s : s[..300] + "…";
}
