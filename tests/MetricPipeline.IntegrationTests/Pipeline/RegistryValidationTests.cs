using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;

namespace MetricPipeline.IntegrationTests.Pipeline;

/// <summary>Registry writes are validated as a whole; a refused change leaves the stored registry untouched.</summary>
public sealed class RegistryValidationTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    private static readonly string[] MinutesParent = ["minutes"];

    [Fact]
    public async Task Invalid_documents_are_refused_with_clear_errors_and_change_nothing()
    {
        var server = await environment.StartServerAsync("api");
        var admin = server.Client(PipelineEnvironment.AdminKey);
        await Apply(admin, TestTelemetry.RegistryJson, HttpStatusCode.OK);
        var before = await Snapshot(server);

        var cycle = """
            {"metrics": [
              {"key": "tasks", "name": "Tasks", "role": "input", "kind": "count", "event": "task_completed", "parents": ["shown"]},
              {"key": "shown", "name": "Shown", "role": "lever", "kind": "count", "event": "suggestion_shown", "parents": ["tasks"]}
            ]}
            """;
        var cycleError = await Apply(admin, cycle, HttpStatusCode.BadRequest);
        Assert.Matches("would create a cycle: (tasks → shown → tasks|shown → tasks → shown)", cycleError);

        var unknownParent = """{"metrics": [{"key": "x", "name": "X", "kind": "count", "event": "e", "parents": ["nope"]}]}""";
        Assert.Contains("nope", await Apply(admin, unknownParent, HttpStatusCode.BadRequest), StringComparison.Ordinal);

        var badRatio = """{"metrics": [{"key": "r", "name": "R", "kind": "ratio", "numerator": "accepted"}]}""";
        Assert.Contains("denominator", await Apply(admin, badRatio, HttpStatusCode.BadRequest), StringComparison.Ordinal);

        var badYaml = "metrics:\n  - key: Bad-Key\n    name: x\n    kind: count\n    event: e\n";
        using (var yaml = new StringContent(badYaml, Encoding.UTF8, "application/yaml"))
        {
            var response = await admin.PostAsync("v1/registry", yaml);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        using (var cyclicPut = JsonContent.Create(new { name = "Tasks", role = "north_star", kind = "count", @event = "task_completed", product = "app", parents = MinutesParent }))
        {
            var response = await admin.PutAsync("v1/metrics/tasks", cyclicPut);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Equal(before, await Snapshot(server));
    }

    [Fact]
    public async Task Put_updates_one_definition_and_the_demo_seed_registry_applies()
    {
        var server = await environment.StartServerAsync("api");
        var admin = server.Client(PipelineEnvironment.AdminKey);
        var seeds = await File.ReadAllTextAsync(Path.Combine(TestServices.RepositoryRoot(), "seeds", "metrics.yaml"));
        using (var yaml = new StringContent(seeds, Encoding.UTF8, "application/yaml"))
        {
            var response = await admin.PostAsync("v1/registry", yaml);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        var metrics = await server.Client().GetFromJsonAsync<JsonElement>("v1/metrics");
        var northStar = metrics.EnumerateArray().First(m => m.GetProperty("role").GetString() == "north_star");
        var key = northStar.GetProperty("key").GetString()!;

        var updated = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(northStar.GetRawText())!;
        updated["description"] = JsonSerializer.SerializeToElement("changed by the test");
        using (var put = JsonContent.Create(updated))
        {
            var response = await admin.PutAsync($"v1/metrics/{key}", put);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        var after = await server.Client().GetFromJsonAsync<JsonElement>($"v1/metrics/{key}");
        Assert.Equal("changed by the test", after.GetProperty("description").GetString());

        var tree = await server.Client().GetFromJsonAsync<JsonElement>($"v1/metrics/{key}/tree");
        Assert.Equal("north_star", tree.GetProperty("role").GetString());
        Assert.True(tree.GetProperty("children").GetArrayLength() >= 3);
    }

    private static async Task<string> Apply(HttpClient admin, string json, HttpStatusCode expected)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await admin.PostAsync("v1/registry", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {expected}, got {(int)response.StatusCode}: {body}");
        if (expected == HttpStatusCode.OK)
        {
            return body;
        }

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
    }

    private static async Task<string> Snapshot(ServerProcess server) => await server.Client().GetStringAsync("v1/metrics");
}
