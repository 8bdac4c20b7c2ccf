using System.Buffers;
using System.Text.Json;
using MetricPipeline.Contracts;

namespace MetricPipeline.Ingest;

/// <summary>One refused event: its position in the request and why.</summary>
public sealed record RejectedEvent(int Index, string Error);

/// <summary>What a request body yields: the valid events and the refused ones.</summary>
public sealed record ParsedBatch(List<TelemetryEvent> Accepted, List<RejectedEvent> Rejected);

/// <summary>The whole body could not be read as events at all (broken JSON, not an array).</summary>
public sealed class UnreadableBodyException(string message) : Exception(message);

/// <summary>
/// Reads a body of events (a JSON array, or NDJSON one event a line) and validates each event on its
/// own: a bad event is listed with its index and reason, the good ones of the same body still pass.
/// </summary>
public sealed class EventParser(IngestOptions options, TimeProvider clock)
{
    private const int MaxProperties = 64;

    /// <summary>Parses a JSON array of events. Throws <see cref="UnreadableBodyException"/> saying where the JSON breaks.</summary>
    public ParsedBatch ParseArray(ReadOnlySequence<byte> body)
    {
        var result = new ParsedBatch([], []);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read())
            {
                throw new UnreadableBodyException("the body is empty: send a JSON array of events");
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new UnreadableBodyException(
                    $"the body must be a JSON array of events (or NDJSON with Content-Type: application/x-ndjson), but it starts with {Describe(reader.TokenType)}");
            }

            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                ParseOne(ref reader, index++, result);
            }

            if (reader.TokenType != JsonTokenType.EndArray)
            {
                throw new UnreadableBodyException("the JSON array is not closed");
            }

            if (reader.Read())
            {
                throw new UnreadableBodyException($"unexpected content after the JSON array at byte {reader.TokenStartIndex}");
            }
        }
        catch (JsonException ex)
        {
            throw new UnreadableBodyException($"the body is not valid JSON at {Where(ex)}: {WithoutPosition(ex.Message)}");
        }

        return result;
    }

    /// <summary>Parses NDJSON: each non-blank line is one event; a broken line refuses that event only.</summary>
    public ParsedBatch ParseNdjson(ReadOnlySequence<byte> body)
    {
        var result = new ParsedBatch([], []);
        var sequence = new SequenceReader<byte>(body);
        var index = 0;
        while (!sequence.End)
        {
            if (!sequence.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
            {
                line = sequence.UnreadSequence;
                sequence.AdvanceToEnd();
            }

            if (IsBlank(line))
            {
                continue;
            }

            var (acceptedBefore, rejectedBefore) = (result.Accepted.Count, result.Rejected.Count);
            var reader = new Utf8JsonReader(line);
            string? lineError = null;
            try
            {
                reader.Read();
                ParseOne(ref reader, index, result);
                if (reader.Read())
                {
                    lineError = "one JSON object per line expected; found more after the object";
                }
            }
            catch (JsonException ex)
            {
                lineError = $"line is not valid JSON at byte {(ex.BytePositionInLine ?? 0) + 1}: {WithoutPosition(ex.Message)}";
            }

            if (lineError is not null)
            {
                // The line as a whole is refused, whatever its first part parsed to.
                result.Accepted.RemoveRange(acceptedBefore, result.Accepted.Count - acceptedBefore);
                result.Rejected.RemoveRange(rejectedBefore, result.Rejected.Count - rejectedBefore);
                result.Rejected.Add(new RejectedEvent(index, lineError));
            }

            index++;
        }

        return result;
    }

    private void ParseOne(ref Utf8JsonReader reader, int index, ParsedBatch result)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            result.Rejected.Add(new RejectedEvent(index, $"an event must be a JSON object, got {Describe(reader.TokenType)}"));
            reader.Skip();
            return;
        }

        Guid? id = null;
        string? product = null, name = null, userId = null;
        DateTimeOffset? timestamp = null;
        var value = 1.0;
        Dictionary<string, string>? properties = null;
        string? error = null;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = FieldOf(ref reader);
            reader.Read();
            if (error is not null)
            {
                reader.Skip();
                continue;
            }

            switch (field)
            {
                case Field.Id:
                    error = ReadId(ref reader, out id);
                    break;
                case Field.Product:
                    error = ReadName(ref reader, "\"product\"", out product);
                    break;
                case Field.Name:
                    error = ReadName(ref reader, "\"name\"", out name);
                    break;
                case Field.Timestamp:
                    error = ReadTimestamp(ref reader, out timestamp);
                    break;
                case Field.UserId:
                    error = ReadUserId(ref reader, out userId);
                    break;
                case Field.Value:
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        value = 1.0;
                    }
                    else if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out value) || !double.IsFinite(value))
                    {
                        error = reader.TokenType == JsonTokenType.Number
                            ? "\"value\" is out of range"
                            : $"\"value\" must be a number, got {Describe(reader.TokenType)}";
                        reader.Skip();
                    }

                    break;
                case Field.Properties:
                    error = ReadProperties(ref reader, out properties);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        error ??= id is null ? "\"id\" is required"
            : product is null ? "\"product\" is required"
            : name is null ? "\"name\" is required"
            : timestamp is null ? "\"timestamp\" is required"
            : null;

        if (error is not null)
        {
            result.Rejected.Add(new RejectedEvent(index, error));
            return;
        }

        result.Accepted.Add(new TelemetryEvent(id!.Value, product!, name!, timestamp!.Value, userId, value, properties));
    }

    private enum Field
    {
        Other,
        Id,
        Product,
        Name,
        Timestamp,
        UserId,
        Value,
        Properties,
    }

    /// <summary>Compares the raw bytes of the property name, so a name that is not UTF-8 is just an unknown field.</summary>
    private static Field FieldOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("id"u8) ? Field.Id
        : reader.ValueTextEquals("product"u8) ? Field.Product
        : reader.ValueTextEquals("name"u8) ? Field.Name
        : reader.ValueTextEquals("timestamp"u8) ? Field.Timestamp
        : reader.ValueTextEquals("userId"u8) ? Field.UserId
        : reader.ValueTextEquals("value"u8) ? Field.Value
        : reader.ValueTextEquals("properties"u8) ? Field.Properties
        : Field.Other;

    private static string? ReadId(ref Utf8JsonReader reader, out Guid? id)
    {
        id = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return "\"id\" must be a UUID string";
        }

        if (EventText.Read(ref reader, "\"id\"", out var raw) is { } error)
        {
            return error;
        }

        if (!Guid.TryParse(raw, out var g))
        {
            return $"\"id\" must be a UUID, got \"{Clip(raw)}\"";
        }

        id = g;
        return null;
    }

    private static string? ReadName(ref Utf8JsonReader reader, string field, out string? text)
    {
        text = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return $"{field} must be a string";
        }

        if (EventText.ReadChecked(ref reader, field, StoredText.MaxNameBytes, out var read) is { } error)
        {
            return error;
        }

        text = read;
        return string.IsNullOrWhiteSpace(text) ? $"{field} must not be empty" : null;
    }

    private static string? ReadUserId(ref Utf8JsonReader reader, out string? userId)
    {
        userId = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return "\"userId\" must be a string";
        }

        var error = EventText.ReadChecked(ref reader, "\"userId\"", StoredText.MaxValueBytes, out var text);
        userId = error is null ? text : null;
        return error;
    }

    private string? ReadTimestamp(ref Utf8JsonReader reader, out DateTimeOffset? timestamp)
    {
        timestamp = null;
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return "\"timestamp\" must be an ISO 8601 string such as \"2026-11-20T10:00:00Z\"";
        }

        if (EventText.Read(ref reader, "\"timestamp\"", out var raw) is { } unreadable)
        {
            return unreadable;
        }

        if (!reader.TryGetDateTimeOffset(out var parsed))
        {
            return $"\"timestamp\" is not an ISO 8601 date-time: \"{Clip(raw)}\"";
        }

        if (!HasOffset(raw))
        {
            return $"\"timestamp\" must carry a time zone (Z or ±hh:mm): \"{Clip(raw)}\"";
        }

        var latest = clock.GetUtcNow() + options.MaxFutureSkew;
        if (parsed > latest)
        {
            return $"\"timestamp\" {raw} is in the future by more than {options.MaxFutureSkew.TotalHours:0.#} h (server time {clock.GetUtcNow():o})";
        }

        if (parsed < options.Earliest)
        {
            return $"\"timestamp\" {raw} is before {options.Earliest:yyyy-MM-dd}, which is not a plausible event time";
        }

        timestamp = parsed.ToUniversalTime();
        return null;
    }

    private static string? ReadProperties(ref Utf8JsonReader reader, out Dictionary<string, string>? properties)
    {
        properties = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return "\"properties\" must be an object of string values";
        }

        properties = new Dictionary<string, string>(StringComparer.Ordinal);
        string? error = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var keyError = EventText.ReadChecked(ref reader, "a property name", StoredText.MaxValueBytes, out var key);
            reader.Read();
            if (error is not null)
            {
                reader.Skip();
                continue;
            }

            if (keyError is not null)
            {
                error = keyError;
                reader.Skip();
            }
            else if (reader.TokenType != JsonTokenType.String)
            {
                error = $"property \"{Clip(key)}\" must be a string, got {Describe(reader.TokenType)}";
                reader.Skip();
            }
            else if (properties.Count >= MaxProperties)
            {
                error = $"more than {MaxProperties} properties";
            }
            else
            {
                // The field's name is spelled out only for an error message (it would cost a string per property).
                error = EventText.ReadChecked(ref reader, "property", StoredText.MaxValueBytes, out var text) is null
                    ? null
                    : EventText.ReadChecked(ref reader, $"property \"{Clip(key)}\"", StoredText.MaxValueBytes, out text);
                properties[key] = text;
            }
        }

        return error;
    }

    private static string Where(JsonException ex) => $"line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}";

    /// <summary>The reader's message ends with "LineNumber: 0 | BytePositionInLine: 13."; we say it in words instead.</summary>
    private static string WithoutPosition(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd(' ', '.');
    }

    private static bool HasOffset(string raw)
    {
        var t = raw.IndexOf('T', StringComparison.Ordinal);
        if (t < 0)
        {
            return false;
        }

        var time = raw.AsSpan(t);
        return time.EndsWith("Z", StringComparison.OrdinalIgnoreCase) || time.Contains('+') || time.LastIndexOf('-') > 0;
    }

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string Clip(string? s) => s is null ? "" : s.Length <= 60 ? s : s[..60] + "…";
}
