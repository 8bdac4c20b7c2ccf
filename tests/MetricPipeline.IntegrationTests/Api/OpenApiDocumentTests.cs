using System.Net;
using System.Text.Json.Nodes;
using MetricPipeline.IntegrationTests.Infrastructure;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace MetricPipeline.IntegrationTests.Api;

/// <summary>
/// The server's OpenAPI document: served at <c>/openapi/v1.json</c>, valid OpenAPI, every operation with its problem
/// answers, and equal to the copy checked in at <c>docs/openapi/v1.json</c>. When the endpoints change, regenerate
/// the copy with <c>METRICPIPELINE_UPDATE_OPENAPI=1 deploy/test.sh --filter FullyQualifiedName~OpenApiDocumentTests</c>.
/// </summary>
public sealed class OpenApiDocumentTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    private const string CheckedIn = "docs/openapi/v1.json";

    [Fact]
    public async Task The_served_document_is_valid_declares_problem_answers_and_equals_the_checked_in_copy()
    {
        var server = await environment.StartServerAsync("all", new Dictionary<string, string> { ["Detector__Enabled"] = "false" });
        using var client = server.Client();
        var response = await client.GetAsync("openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var served = await response.Content.ReadAsStringAsync();

        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(served));
        var read = await OpenApiDocument.LoadAsync(stream, "json", new OpenApiReaderSettings());
        Assert.True(read.Diagnostic?.Errors.Count is null or 0, "the document does not read as OpenAPI: " + string.Join("; ", read.Diagnostic!.Errors.Select(e => e.ToString())));
        var document = read.Document!;
        var invalid = document.Validate(ValidationRuleSet.GetDefaultRuleSet())?.ToList() ?? [];
        Assert.True(invalid.Count == 0, "the document breaks OpenAPI rules: " + string.Join("; ", invalid.Select(e => $"{e.Pointer}: {e.Message}")));

        // Every operation that takes input (path, query, body, or a write) says how it refuses bad input.
        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations!.Where(o => o.Key != HttpMethod.Get || o.Value.Parameters?.Count > 0))
            {
                var problems = operation.Responses!.Where(r => r.Key.StartsWith('4') && r.Value.Content?.ContainsKey("application/problem+json") == true).ToList();
                Assert.True(problems.Count > 0, $"{method} {path} declares no problem+json answer");
            }
        }

        // The history, registry and tree endpoints are typed: their success bodies are named schemas.
        foreach (var (path, schema) in new[]
        {
            ("/v1/metrics/{key}/series", "HistoryResponse"), ("/v1/metrics/{key}/segments", "SegmentTotals"),
            ("/v1/metrics/{key}/tree", "TreeNode"), ("/v1/metrics/{key}", "MetricDefinition"), ("/v1/registry", "RegistryApplied"),
        })
        {
            var operations = document.Paths[path].Operations!;
            var operation = operations.TryGetValue(HttpMethod.Get, out var get) ? get : operations[HttpMethod.Post];
            var ok = operation.Responses!["200"].Content!["application/json"].Schema;
            Assert.Equal(schema, (ok as OpenApiSchemaReference)?.Reference.Id);
        }

        var root = RepositoryRoot();
        var file = Path.Combine(root, CheckedIn);
        if (Environment.GetEnvironmentVariable("METRICPIPELINE_UPDATE_OPENAPI") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllTextAsync(file, JsonNode.Parse(served)!.ToJsonString(new() { WriteIndented = true }) + "\n");
        }

        Assert.True(File.Exists(file), $"{CheckedIn} is missing: create it with METRICPIPELINE_UPDATE_OPENAPI=1 deploy/test.sh --filter FullyQualifiedName~OpenApiDocumentTests");
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(served), JsonNode.Parse(await File.ReadAllTextAsync(file))),
            $"{CheckedIn} is stale (the endpoints changed): regenerate it with METRICPIPELINE_UPDATE_OPENAPI=1 deploy/test.sh --filter FullyQualifiedName~OpenApiDocumentTests and commit it");
    }

    [Fact]
    public async Task The_reference_page_is_served_with_its_script_from_the_server_itself()
    {
        var server = await environment.StartServerAsync("api", new Dictionary<string, string> { ["Detector__Enabled"] = "false" });
        using var client = server.Client();
        var page = await client.GetStringAsync("scalar/");
        Assert.Contains("scalar.js", page, StringComparison.Ordinal);
        Assert.Contains("\"openapi/v1.json\"", page, StringComparison.Ordinal);
        var script = await client.GetAsync("scalar/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MetricPipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no MetricPipeline.sln above {AppContext.BaseDirectory}");
    }
}
