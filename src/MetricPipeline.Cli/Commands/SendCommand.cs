using System.CommandLine;
using System.Text;

namespace MetricPipeline.Cli.Commands;

/// <summary><c>metricpipe send --file events.ndjson</c>: posts an NDJSON file to ingest in chunks.</summary>
internal static class SendCommand
{
    public static Command Create()
    {
        var file = new Option<FileInfo>("--file", "-f") { Description = "NDJSON file, one event per line (blank lines are skipped)", Required = true };
        var chunk = new Option<int>("--chunk-size")
        {
            Description = "Events per request",
            DefaultValueFactory = _ => EventUpload.DefaultChunkSize,
        };
        var command = new Command(
            "send",
            "Send events to POST /v1/events (needs an ingest key). Prints accepted/rejected totals and each rejected event's line; exits 1 if any event was rejected.")
        {
            file, chunk,
        };

        command.SetAction((parse, cancellationToken) => ServerClient.RunAsync(parse, async client =>
        {
            var path = parse.GetValue(file)!;
            var size = parse.GetValue(chunk);
            if (size < 1)
            {
                throw new CliException("--chunk-size must be at least 1");
            }

            if (!path.Exists)
            {
                throw new CliException($"file '{path.FullName}' does not exist");
            }

            var accepted = 0;
            var rejected = 0;
            var lines = new List<int>(size);
            var buffer = new StringBuilder();
            var lineNumber = 0;

            async Task Flush()
            {
                if (lines.Count == 0)
                {
                    return;
                }

                var result = await EventUpload.PostAsync(client, Encoding.UTF8.GetBytes(buffer.ToString()), cancellationToken);
                accepted += result.Accepted;
                rejected += result.Rejected.Count;
                foreach (var r in result.Rejected)
                {
                    var where = r.Index >= 0 && r.Index < lines.Count ? $"line {lines[r.Index]}" : $"chunk item {r.Index}";
                    Console.WriteLine($"rejected {where}: {r.Error}");
                }

                lines.Clear();
                buffer.Clear();
            }

            foreach (var line in File.ReadLines(path.FullName))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                lines.Add(lineNumber);
                buffer.Append(line).Append('\n');
                if (lines.Count == size)
                {
                    await Flush();
                }
            }

            await Flush();
            Console.WriteLine($"accepted {accepted}, rejected {rejected}");
            if (rejected > 0)
            {
                throw new CliException($"{rejected} of {accepted + rejected} events were rejected (listed above)");
            }

            return 0;
        }));
        return command;
    }
}
