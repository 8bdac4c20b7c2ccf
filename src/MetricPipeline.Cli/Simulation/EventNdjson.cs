using System.Globalization;
using System.Text.Json;
using MetricPipeline.Contracts;

namespace MetricPipeline.Cli.Simulation;

/// <summary>
/// Writes events as NDJSON lines in the ingest shape (<c>id, product, name, timestamp, userId,
/// value, properties</c>; UTC times with a "Z"). One writer is reused for every line.
/// </summary>
public sealed class EventNdjson(Stream stream) : IDisposable
{
    private readonly Utf8JsonWriter _json = new(stream);

    public void Write(TelemetryEvent e)
    {
        _json.Reset(stream);
        _json.WriteStartObject();
        _json.WriteString("id", e.Id);
        _json.WriteString("product", e.Product);
        _json.WriteString("name", e.Name);
        _json.WriteString("timestamp", e.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        if (e.UserId is not null)
        {
            _json.WriteString("userId", e.UserId);
        }

        _json.WriteNumber("value", e.Value);
        _json.WriteStartObject("properties");
        foreach (var (key, value) in e.Properties ?? new Dictionary<string, string>())
        {
            _json.WriteString(key, value);
        }

        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.Flush();
        stream.WriteByte((byte)'\n');
    }

    public void Dispose() => _json.Dispose();
}
