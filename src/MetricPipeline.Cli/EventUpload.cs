using System.Net.Http.Headers;
using System.Text.Json;

namespace MetricPipeline.Cli;

/// <summary>One rejected event of a chunk: its 0-based index in the chunk and the server's reason.</summary>
internal sealed record RejectedEvent(int Index, string Error);

internal sealed record EventsResult(int Accepted, IReadOnlyList<RejectedEvent> Rejected);

/// <summary>Posts NDJSON chunks to <c>POST /v1/events</c> and reads the <c>202 {accepted, rejected}</c> answer.</summary>
internal static class EventUpload
{
    /// <summary>Events per request: well under the default 8 MiB body limit at ~250 bytes an event.</summary>
    public const int DefaultChunkSize = 5_000;

    public static async Task<EventsResult> PostAsync(ServerClient client, ReadOnlyMemory<byte> ndjson, CancellationToken cancellationToken)
    {
        var body = await client.SendAsync(HttpMethod.Post, "v1/events", () =>
        {
            var content = new ReadOnlyMemoryContent(ndjson);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            return content;
        }, cancellationToken: cancellationToken);

        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var accepted = root.TryGetProperty("accepted", out var a) ? a.GetInt32() : 0;
            var rejected = new List<RejectedEvent>();
            if (root.TryGetProperty("rejected", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    rejected.Add(new RejectedEvent(
                        item.TryGetProperty("index", out var i) ? i.GetInt32() : -1,
                        item.TryGetProperty("error", out var e) ? e.ToString() : "rejected"));
                }
            }

            return new EventsResult(accepted, rejected);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new CliException($"POST /v1/events answered something other than {{\"accepted\": N, \"rejected\": [...]}}: {e.Message}", e);
        }
    }
}
