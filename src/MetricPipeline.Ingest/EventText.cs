using System.Text.Json;
using MetricPipeline.Contracts;

namespace MetricPipeline.Ingest;

/// <summary>
/// Reads an event's text fields from JSON and holds them to <see cref="StoredText"/>: an event whose text the
/// database would refuse is refused here, at the door, with the field named, instead of being accepted and then
/// failing to be written. Every ingest route (JSON array, NDJSON, Segment batches) applies these rules.
/// </summary>
public static class EventText
{
    /// <summary>
    /// Reads the current string token of <paramref name="reader"/>. Bytes that are not UTF-8, or an escape naming
    /// half a surrogate pair, come back as an error message instead of an exception.
    /// </summary>
    public static string? Read(ref Utf8JsonReader reader, string field, out string text)
    {
        try
        {
            text = reader.GetString() ?? "";
            return null;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return $"{field} is not valid UTF-8 text (invalid bytes or an unpaired \\uD800-\\uDFFF escape)";
        }
    }

    /// <summary>Reads and checks a string token in one step: <see cref="Read"/>, then <see cref="StoredText.Problem"/>.</summary>
    public static string? ReadChecked(ref Utf8JsonReader reader, string field, int maxBytes, out string text) =>
        Read(ref reader, field, out text) ?? StoredText.Problem(field, text, maxBytes);
}
