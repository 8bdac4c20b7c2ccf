using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>Every kind of bad input gets a clear answer, and the good events beside it are kept and counted once.</summary>
public sealed class BadInputTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>, IAsyncLifetime
{
    private ServerProcess server = null!;
    private PipelineApi api = null!;

    public async Task InitializeAsync()
    {
        server = await environment.StartServerAsync("all", new Dictionary<string, string> { ["Ingest__MaxBodyBytes"] = "65536" });
        api = new PipelineApi(server);
        await api.ApplyRegistryAsync(TestTelemetry.RegistryJson);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Missing_key_is_401_unknown_key_is_401_and_a_key_of_the_wrong_kind_is_403()
    {
        var body = TestTelemetry.ToJsonArray(TestTelemetry.Generate(1, 1, seed: 1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post(null, body)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Post("not-a-key", body)).Status);
        var wrongKind = await Post(PipelineEnvironment.AdminKey, body);
        Assert.Equal(HttpStatusCode.Forbidden, wrongKind.Status);
        Assert.Contains("ingest key", wrongKind.Detail, StringComparison.Ordinal);

        using var registryWithIngestKey = new StringContent(TestTelemetry.RegistryJson, Encoding.UTF8, "application/json");
        var response = await server.Client(PipelineEnvironment.IngestKey).PostAsync("v1/registry", registryWithIngestKey);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Unparseable_body_or_not_an_array_is_400_problem_json_saying_where()
    {
        var broken = await Post(PipelineEnvironment.IngestKey, "[{\"id\": \"x\",");
        Assert.Equal(HttpStatusCode.BadRequest, broken.Status);
        Assert.Equal("application/problem+json", broken.ContentType);
        Assert.Contains("not valid JSON", broken.Detail, StringComparison.Ordinal);
        Assert.Matches(@"at line \d+, byte \d+", broken.Detail);

        var notArray = await Post(PipelineEnvironment.IngestKey, "{\"id\": \"3f0c2f4e-8a51-4b7e-9d2a-5f3c1e0b7a11\"}");
        Assert.Equal(HttpStatusCode.BadRequest, notArray.Status);
        Assert.Contains("must be a JSON array", notArray.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_over_the_limit_is_413()
    {
        var big = TestTelemetry.ToJsonArray(TestTelemetry.Generate(1_000, 1, seed: 2));
        Assert.True(big.Length > 65536);
        var response = await Post(PipelineEnvironment.IngestKey, big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Contains("limit", response.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_bad_event_is_rejected_with_its_index_and_reason_while_the_valid_ones_are_counted_once()
    {
        var at = "2026-10-05T10:15:00Z";
        var hourStart = new DateTime(2026, 10, 5, 10, 0, 0, DateTimeKind.Utc);
        string Event(string id, string extra = "") =>
            $$"""{"id":"{{id}}","product":"app","name":"suggestion_shown","timestamp":"{{at}}","properties":{"plan":"pro"}""" + extra + "}";
        var valid = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid().ToString()).ToList();
        var items = new (string Json, string? Error)[]
        {
            (Event(valid[0]), null),
            ("""{"product":"app","name":"suggestion_shown","timestamp":"2026-10-05T10:15:00Z"}""", "\"id\" is required"),
            ($$"""{"id":"{{Guid.NewGuid()}}","name":"suggestion_shown","timestamp":"{{at}}"}""", "\"product\" is required"),
            ($$"""{"id":"{{Guid.NewGuid()}}","product":"app","timestamp":"{{at}}"}""", "\"name\" is required"),
            ($$"""{"id":"{{Guid.NewGuid()}}","product":"app","name":"suggestion_shown"}""", "\"timestamp\" is required"),
            (Event(valid[1]), null),
            (Event("not-a-uuid"), "\"id\" must be a UUID"),
            ($$"""{"id":"{{Guid.NewGuid()}}","product":"app","name":"suggestion_shown","timestamp":"yesterday"}""", "\"timestamp\" is not an ISO 8601"),
            (Event(Guid.NewGuid().ToString(), ",\"value\":\"12\""), "\"value\" must be a number"),
            ($$"""{"id":"{{Guid.NewGuid()}}","product":"app","name":"suggestion_shown","timestamp":"{{at}}","properties":{"plan":3}""" + "}", "property \"plan\" must be a string"),
            ($$"""{"id":"{{Guid.NewGuid()}}","product":"app","name":"suggestion_shown","timestamp":"2099-01-01T00:00:00Z"}""", "in the future"),
            (Event(valid[2]), null),
            ("42", "must be a JSON object"),
            (Event(valid[3], ",\"value\":2.5"), null),
            (Event(valid[4]), null),
        };
        var response = await Post(PipelineEnvironment.IngestKey, "[" + string.Join(",", items.Select(i => i.Json)) + "]");
        Assert.Equal(HttpStatusCode.Accepted, response.Status);
        Assert.Equal(valid.Count, response.Json.GetProperty("accepted").GetInt32());
        var rejected = response.Json.GetProperty("rejected").EnumerateArray()
            .ToDictionary(r => r.GetProperty("index").GetInt32(), r => r.GetProperty("error").GetString()!);
        for (var i = 0; i < items.Length; i++)
        {
            if (items[i].Error is { } error)
            {
                Assert.True(rejected.TryGetValue(i, out var reason), $"item {i} was not rejected");
                Assert.Contains(error, reason, StringComparison.Ordinal);
            }
            else
            {
                Assert.False(rejected.ContainsKey(i), $"valid item {i} was rejected: {rejected.GetValueOrDefault(i)}");
            }
        }

        // NDJSON: a broken line loses only itself.
        var extra = Guid.NewGuid().ToString();
        var ndjson = Event(extra) + "\n{\"id\": broken\n";
        using var content = new StringContent(ndjson, Encoding.UTF8, "application/x-ndjson");
        var ndResponse = await server.Client(PipelineEnvironment.IngestKey).PostAsync("v1/events", content);
        var ndBody = JsonDocument.Parse(await ndResponse.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, ndBody.GetProperty("accepted").GetInt32());
        Assert.Equal(1, ndBody.GetProperty("rejected")[0].GetProperty("index").GetInt32());

        // Re-sending the whole batch changes nothing: the accepted ids are counted once.
        await Post(PipelineEnvironment.IngestKey, "[" + string.Join(",", items.Select(i => i.Json)) + "]");
        await api.WaitForTotalAsync("shown", valid.Count + 1, hourStart, hourStart.AddHours(1), TimeSpan.FromMinutes(1));
        await Task.Delay(1_500);
        Assert.Equal(valid.Count + 1, (await api.SegmentTotalsAsync("shown", hourStart, hourStart.AddHours(1)))[""]);
    }

    [Fact]
    public async Task Over_the_rate_limit_is_429_with_retry_after()
    {
        var limited = await environment.StartServerAsync("ingest,api", new Dictionary<string, string> { ["Ingest__RequestsPerSecond"] = "1" });
        var client = limited.Client(PipelineEnvironment.IngestKey);
        var body = TestTelemetry.ToJsonArray(TestTelemetry.Generate(1, 1, seed: 3));
        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            responses.Add(await client.PostAsync("v1/events", new StringContent(body, Encoding.UTF8, "application/json")));
        }

        var refused = responses.FirstOrDefault(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.NotNull(refused);
        Assert.True(refused.Headers.RetryAfter is not null, "429 without Retry-After");
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    private async Task<(HttpStatusCode Status, string Detail, string? ContentType, JsonElement Json)> Post(string? key, string body)
    {
        var client = server.Client(key);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await client.PostAsync("v1/events", content);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default;
        var detail = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
        return (response.StatusCode, detail, response.Content.Headers.ContentType?.MediaType, json);
    }
}
