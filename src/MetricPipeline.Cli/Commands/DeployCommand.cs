using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace MetricPipeline.Cli.Commands;

/// <summary><c>metricpipe deploy</c>: tags a deployment (known intervention) with POST /v1/deployments.</summary>
internal static class DeployCommand
{
    private static readonly string[] Kinds = ["model", "feature_flag", "config", "incident", "external"];

    public static Command Create()
    {
        var service = new Option<string>("--service") { Description = "Service or model name", Required = true };
        var version = new Option<string>("--version") { Description = "Version deployed", Required = true };
        var kind = new Option<string>("--kind") { Description = "model | feature_flag | config | incident | external", DefaultValueFactory = _ => "model" };
        kind.AcceptOnlyFromAmong(Kinds);
        var at = new Option<DateTimeOffset?>("--at") { Description = "Start time (ISO 8601); default now" };
        var products = new Option<string[]>("--product") { Description = "Product in scope (repeatable)", AllowMultipleArgumentsPerToken = false };
        var metrics = new Option<string[]>("--metric") { Description = "Metric key in scope (repeatable)", AllowMultipleArgumentsPerToken = false };
        var description = new Option<string?>("--description") { Description = "What changed" };

        var command = new Command("deploy", "Tag a deployment with POST /v1/deployments (needs an admin key); prints its id")
        {
            service, version, kind, at, products, metrics, description,
        };

        command.SetAction((parse, cancellationToken) => ServerClient.RunAsync(parse, async client =>
        {
            var body = new
            {
                service = parse.GetValue(service),
                version = parse.GetValue(version),
                kind = parse.GetValue(kind),
                startedAt = (parse.GetValue(at) ?? DateTimeOffset.UtcNow).ToUniversalTime(),
                description = parse.GetValue(description),
                products = parse.GetValue(products) ?? [],
                metrics = parse.GetValue(metrics) ?? [],
            };

            var response = await client.SendAsync(HttpMethod.Post, "v1/deployments", () => JsonContent.Create(body), cancellationToken: cancellationToken);
            Console.WriteLine(ReadId(response));
            return 0;
        }));
        return command;
    }

    private static string ReadId(string response)
    {
        try
        {
            using var json = JsonDocument.Parse(response);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("id", out var id))
            {
                return id.ToString();
            }
        }
        catch (JsonException)
        {
        }

        throw new CliException("POST /v1/deployments succeeded but its answer has no 'id'");
    }
}
