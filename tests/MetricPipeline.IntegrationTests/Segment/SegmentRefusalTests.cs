using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;
using MetricPipeline.IntegrationTests.Pipeline;

namespace MetricPipeline.IntegrationTests.Segment;

/// <summary>
/// What the Segment endpoints refuse, and how (400 for size and JSON, as Segment; 401/403 for keys), and
/// that the valid calls beside a refused one are kept and counted once. Also the mapping's finer points.
/// </summary>
public sealed class SegmentRefusalTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>, IAsyncLifetime
{
    private const string SecondKey = "second-ingest-key";
    private ServerProcess server = null!;
    private PipelineApi api = null!;

    public async Task InitializeAsync()
    {
        server = await environment.StartServerAsync("all", new Dictionary<string, string>
        {
            ["Auth__IngestKeys__1"] = SecondKey,
            ["Segment__Sources__0__WriteKey"] = PipelineEnvironment.IngestKey,
            ["Segment__Sources__0__Product"] = "app",
            ["Segment__ValueProperty"] = "minutes",
        });
        api = new PipelineApi(server);
        await api.ApplyRegistryAsync(SegmentTelemetry.RegistryJson);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Oversized_calls_bad_json_missing_event_or_user_and_wrong_keys_are_refused_while_valid_neighbours_count_once()
    {
        var hour = new DateTime(2026, 10, 6, 9, 0, 0, DateTimeKind.Utc);
        var at = "2026-10-06T09:30:00Z";
        var kept = new List<string>();
        string Valid()
        {
            var id = "keep-" + Guid.NewGuid();
            kept.Add(id);
            return SegmentTelemetry.Track(id, timestamp: at);
        }

        // A call over 32 KB in a batch: 400 naming it; its neighbours are kept.
        var huge = SegmentTelemetry.Track("huge", timestamp: at, extra: $",\"context\":{{\"padding\":\"{new string('x', 33 * 1024)}\"}}");
        var oversizedCall = await PostAsync("v1/batch", SegmentTelemetry.Batch(Valid(), huge, Valid()));
        Assert.Equal(HttpStatusCode.BadRequest, oversizedCall.Status);
        Assert.Contains("call 1: the call is", oversizedCall.Detail, StringComparison.Ordinal);
        Assert.Contains("32 KB", oversizedCall.Detail, StringComparison.Ordinal);
        Assert.Equal(2, oversizedCall.Json.GetProperty("accepted").GetInt32());

        // A batch over 500 KB: 400, nothing of it taken.
        var lost = Enumerable.Range(0, 40).Select(i => SegmentTelemetry.Track($"lost-{i}", timestamp: at, extra: $",\"context\":{{\"padding\":\"{new string('y', 14 * 1024)}\"}}"));
        var oversizedBatch = await PostAsync("v1/batch", SegmentTelemetry.Batch([.. lost]));
        Assert.Equal(HttpStatusCode.BadRequest, oversizedBatch.Status);
        Assert.Contains("the limit is 512000 bytes", oversizedBatch.Detail, StringComparison.Ordinal);

        // Broken JSON: 400 saying where.
        var broken = await PostAsync("v1/batch", "{\"batch\":[{\"type\":\"track\",");
        Assert.Equal(HttpStatusCode.BadRequest, broken.Status);
        Assert.Equal("application/problem+json", broken.ContentType);
        Assert.Matches(@"not valid JSON at line \d+, byte \d+", broken.Detail);

        // Missing event, missing user, unknown type: each refused with its index; the rest kept.
        var mixed = await PostAsync("v1/batch", SegmentTelemetry.Batch(
            Valid(),
            SegmentTelemetry.Track("no-event", @event: null, timestamp: at),
            SegmentTelemetry.Track("no-user", userId: null, timestamp: at),
            """{"type":"identify","userId":"u-1","traits":{"plan":"free"}}""",
            """{"type":"launch","userId":"u-1","event":"task_completed"}""",
            Valid()));
        Assert.Equal(HttpStatusCode.BadRequest, mixed.Status);
        Assert.Equal(2, mixed.Json.GetProperty("accepted").GetInt32());
        var reasons = mixed.Json.GetProperty("rejected").EnumerateArray().ToDictionary(r => r.GetProperty("index").GetInt32(), r => r.GetProperty("error").GetString()!);
        Assert.Equal([1, 2, 4], reasons.Keys.Order());
        Assert.Contains("\"event\" is required", reasons[1], StringComparison.Ordinal);
        Assert.Contains("\"userId\" or \"anonymousId\"", reasons[2], StringComparison.Ordinal);
        Assert.Contains("not a Segment call type", reasons[4], StringComparison.Ordinal);

        // /v1/track with no event: 400 with that reason.
        var single = await PostAsync("v1/track", """{"userId":"u-1","messageId":"m"}""");
        Assert.Equal(HttpStatusCode.BadRequest, single.Status);
        Assert.Contains("\"event\" is required", single.Detail, StringComparison.Ordinal);

        // Keys: none, unknown (header or body), an admin key: refused before anything is taken.
        var stray = SegmentTelemetry.Batch(SegmentTelemetry.Track("stray", timestamp: at));
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("v1/batch", stray, key: null)).Status);
        var unknown = await PostAsync("v1/batch", stray, key: "not-a-key");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.Status);
        Assert.Contains("unknown write key", unknown.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("v1/batch", stray.Insert(1, "\"writeKey\":\"not-a-key\","), key: null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync("v1/batch", stray, key: PipelineEnvironment.AdminKey)).Status);

        // The write key in the body instead of the header, and /v1/b: accepted.
        var bodyKeyed = await PostAsync("v1/b", $$"""{"writeKey":"{{PipelineEnvironment.IngestKey}}","batch":[{{Valid()}}]}""", key: null);
        Assert.Equal(HttpStatusCode.OK, bodyKeyed.Status);
        Assert.True(bodyKeyed.Json.GetProperty("success").GetBoolean());

        // Every accepted call again, as a client retry: 200, and counted once.
        var retry = await PostAsync("v1/batch", SegmentTelemetry.Batch([.. kept.Select(id => SegmentTelemetry.Track(id, timestamp: at))]));
        Assert.Equal(HttpStatusCode.OK, retry.Status);
        await api.WaitForTotalAsync("tasks", kept.Count, hour, hour.AddHours(1), TimeSpan.FromMinutes(1));
        await Task.Delay(1_500);
        Assert.Equal(kept.Count, (await api.SegmentTotalsAsync("tasks", hour, hour.AddHours(1)))[""]);
    }

    [Fact]
    public async Task Gzip_bodies_properties_context_value_product_and_clock_skew_are_mapped_as_the_readme_says()
    {
        var hour = new DateTime(2026, 10, 7, 14, 0, 0, DateTimeKind.Utc);
        var now = DateTimeOffset.UtcNow;
        var calls = new[]
        {
            // Scalars become strings, nested objects flatten with dots, arrays are left out; "minutes" is the value.
            "{'type':'track','userId':'u-1','event':'task_completed','messageId':'g-1','timestamp':'2026-10-07T14:05:00Z'," +
            "'properties':{'plan':'pro','beta':true,'team':{'size':12},'tags':['a','b'],'minutes':2.5},'context':{'app':{'version':'8.1.0'}}}",
            // anonymousId stands in for a missing userId; the batch's context fills in the app version.
            "{'type':'track','anonymousId':'anon-7','event':'task_completed','messageId':'g-2','timestamp':'2026-10-07T14:10:00Z','properties':{'plan':'free','minutes':'4'}}",
            // originalTimestamp from a device clock 3 hours fast (its sentAt says so): moved back into 14:xx.
            "{'type':'track','userId':'u-2','event':'task_completed','messageId':'g-3','originalTimestamp':'2026-10-07T17:20:00Z'," +
            $"'sentAt':'{now.AddHours(3):o}','properties':{{'plan':'free'}}}}",
        };
        var body = ("{'context':{'app':{'version':'8.0.0'}},'batch':[" + string.Join(",", calls) + "]}").Replace('\'', '"');
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(body));
        }

        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        var client = server.Client();
        client.DefaultRequestHeaders.Authorization = SegmentTelemetry.Basic(PipelineEnvironment.IngestKey);
        var response = await client.PostAsync("v1/batch", content);
        Assert.Equal("{\"success\":true}", await response.Content.ReadAsStringAsync());

        // A second key with no source: the product comes from context.app.name; without one the call is refused.
        var appNamed = await PostAsync("v1/track",
            """{"userId":"u-3","event":"task_completed","messageId":"g-4","timestamp":"2026-10-07T14:40:00Z","properties":{"plan":"team"},"context":{"app":{"name":"app","version":"8.1.0"}}}""",
            key: SecondKey);
        Assert.Equal(HttpStatusCode.OK, appNamed.Status);
        var noProduct = await PostAsync("v1/track", """{"userId":"u-3","event":"task_completed","messageId":"g-5"}""", key: SecondKey);
        Assert.Equal(HttpStatusCode.BadRequest, noProduct.Status);
        Assert.Contains("no product", noProduct.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("v1/identify", """{"userId":"u-3","traits":{}}""")).Status);

        await api.WaitForTotalAsync("tasks", 4, hour, hour.AddHours(1), TimeSpan.FromMinutes(1));
        var tasks = await api.SegmentTotalsAsync("tasks", hour, hour.AddHours(1));
        Assert.Equal(1, tasks["beta=true"]);
        Assert.Equal(1, tasks["team.size=12"]);
        Assert.Equal(2, tasks["context.app.version=8.1.0"]);
        Assert.Equal(2, tasks["context.app.version=8.0.0"]);
        Assert.Equal(2, tasks["plan=free"]);
        Assert.DoesNotContain(tasks.Keys, k => k.StartsWith("tags", StringComparison.Ordinal));
        var minutes = await api.SegmentTotalsAsync("minutes", hour, hour.AddHours(1));
        Assert.Equal(2.5 + 4 + 1 + 1, minutes[""]);
        var users = await api.SeriesAsync("users", "", hour, hour.AddHours(1));
        Assert.Equal(4, Assert.Single(users).Value);
    }

    [Fact]
    public async Task Text_postgres_cannot_store_refuses_only_its_own_call()
    {
        var hour = new DateTime(2026, 10, 8, 11, 0, 0, DateTimeKind.Utc);
        var at = "2026-10-08T11:20:00Z";
        var body = new List<byte>();
        body.AddRange(Encoding.UTF8.GetBytes(SegmentTelemetry.Batch(
            SegmentTelemetry.Track("t-ok-1", timestamp: at),
            SegmentTelemetry.Track("t-surrogate", @event: "task_\\ud800completed", timestamp: at),
            SegmentTelemetry.Track("t-nul", userId: "u\\u0000x", timestamp: at),
            SegmentTelemetry.Track("t-bytes", plan: "INVALID", timestamp: at),
            SegmentTelemetry.Track("t-ok-2", timestamp: at))));
        // Bytes that are not UTF-8 in the fourth call's property value.
        var json = body.ToArray();
        var mark = Encoding.UTF8.GetBytes("INVALID");
        var where = json.AsSpan().IndexOf(mark);
        json[where] = 0xFF;
        json[where + 1] = 0xFE;

        using var content = new ByteArrayContent(json);
        content.Headers.ContentType = new("application/json");
        var client = server.Client();
        client.DefaultRequestHeaders.Authorization = SegmentTelemetry.Basic(PipelineEnvironment.IngestKey);
        var response = await client.PostAsync("v1/batch", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(2, problem.GetProperty("accepted").GetInt32());
        Assert.Equal([1, 2, 3], problem.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("index").GetInt32()));

        await api.WaitForTotalAsync("tasks", 2, hour, hour.AddHours(1), TimeSpan.FromMinutes(1));
    }

    private async Task<(HttpStatusCode Status, string Detail, string? ContentType, JsonElement Json)> PostAsync(
        string path, string body, string? key = PipelineEnvironment.IngestKey)
    {
        var client = server.Client();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = SegmentTelemetry.Basic(key);
        }

        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default;
        var detail = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
        return (response.StatusCode, detail, response.Content.Headers.ContentType?.MediaType, json);
    }
}
