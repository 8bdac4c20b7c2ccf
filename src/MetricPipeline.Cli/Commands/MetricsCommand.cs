using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using MetricPipeline.Registry;

namespace MetricPipeline.Cli.Commands;

/// <summary><c>metricpipe metrics apply -f seeds/metrics.yaml</c>: applies a registry document.</summary>
internal static class MetricsCommand
{
    public static Command Create()
    {
        var file = new Option<FileInfo>("--file", "-f") { Description = "Registry document (.yaml/.yml, or .json)", Required = true };
        var apply = new Command(
            "apply",
            "Apply a registry document with POST /v1/registry (needs an admin key). The document's shape is checked locally first; "
            + "the server refuses cycles, unknown parents and invalid formulas, and then nothing is changed.")
        {
            file,
        };

        apply.SetAction((parse, cancellationToken) => ServerClient.RunAsync(parse, async client =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw new CliException($"file '{path.FullName}' does not exist");
            }

            var text = await File.ReadAllTextAsync(path.FullName, cancellationToken);
            var isJson = path.Extension.Equals(".json", StringComparison.OrdinalIgnoreCase);
            var mediaType = isJson ? "application/json" : "application/yaml";
            RegistryDocument document;
            try
            {
                document = RegistryDocumentReader.Read(text, mediaType);
            }
            catch (RegistryFormatException e)
            {
                throw new CliException($"{path.Name}: {e.Message}", e);
            }

            await client.SendAsync(HttpMethod.Post, "v1/registry", () =>
            {
                var content = new StringContent(text, Encoding.UTF8);
                content.Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
                return content;
            }, cancellationToken: cancellationToken);

            Console.WriteLine($"applied {document.Metrics.Count} metrics from {path.Name}");
            return 0;
        }));

        return new Command("metrics", "Manage the metric registry") { apply };
    }
}
