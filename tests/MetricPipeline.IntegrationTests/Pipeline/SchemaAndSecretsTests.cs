using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;
using Npgsql;

namespace MetricPipeline.IntegrationTests.Pipeline;

public sealed class SchemaAndSecretsTests(PipelineEnvironment environment) : IClassFixture<PipelineEnvironment>
{
    [Fact]
    public async Task Db_migrate_creates_the_schema_on_an_empty_database_and_is_idempotent()
    {
        var first = await RunCliAsync("db", "migrate", "--connection", environment.PostgresConnectionString);
        Assert.True(first.Code == 0, first.Output);
        Assert.Contains("applied", first.Output, StringComparison.Ordinal);

        await using (var connection = new NpgsqlConnection(environment.PostgresConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_name IN ('buckets','seen_events','metrics','alerts','deployments')", connection);
            Assert.Equal(5L, await cmd.ExecuteScalarAsync());
        }

        var second = await RunCliAsync("db", "migrate", "--connection", environment.PostgresConnectionString);
        Assert.True(second.Code == 0, second.Output);
        Assert.Contains("up to date", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_metric_webhook_is_never_shown_by_reads_and_survives_a_read_modify_write()
    {
        var server = await environment.StartServerAsync("api");
        var admin = server.Client(PipelineEnvironment.AdminKey);
        const string secret = "https://hooks.slack.com/services/T000/B000/secret-token";
        var document = $$"""{"metrics": [{"key": "tasks", "name": "Tasks", "role": "north_star", "kind": "count", "event": "task_completed", "alert": {"minRelativeChange": 0.05, "slackWebhook": "{{secret}}"}""" + "}]}";
        using (var content = new StringContent(document, Encoding.UTF8, "application/json"))
        {
            Assert.True((await admin.PostAsync("v1/registry", content)).IsSuccessStatusCode);
        }

        var listed = await server.Client().GetStringAsync("v1/metrics");
        Assert.DoesNotContain("secret-token", listed, StringComparison.Ordinal);
        var one = await server.Client().GetFromJsonAsync<JsonElement>("v1/metrics/tasks");
        Assert.Equal("(set)", one.GetProperty("alert").GetProperty("slackWebhook").GetString());

        var edited = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(one.GetRawText())!;
        edited["name"] = JsonSerializer.SerializeToElement("Tasks completed");
        using (var put = JsonContent.Create(edited))
        {
            var response = await admin.PutAsync("v1/metrics/tasks", put);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        await using var connection = new NpgsqlConnection(environment.PostgresConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT definition->'alert'->>'slackWebhook' FROM metrics WHERE key = 'tasks'", connection);
        Assert.Equal(secret, await cmd.ExecuteScalarAsync());
    }
    private static async Task<(int Code, string Output)> RunCliAsync(params string[] args)
    {
        var (code, output, error) = await MetricpipeCli.RunAsync(args);
        return (code, output + error);
    }
}
