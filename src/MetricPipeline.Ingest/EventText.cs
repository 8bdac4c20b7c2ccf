using System.Text;
using System.Text.Json;

namespace MetricPipeline.Ingest;

/// <summary>
/// What every text field of an event must be before it is accepted. PostgreSQL refuses a NUL character and
/// text that is not valid Unicode; an event carrying either would be accepted and then fail to be written, so it
/// is refused here, at the door, with the field named. Every ingest route (JSON array, NDJSON, Segment batches)
/// applies these rules.
/// </summary>
public static class EventText
{
    /// <summary>Longest <c>product</c> and <c>name</c>, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 200;

    /// <summary>
    /// Longest <c>userId</c>, property name or property value, in UTF-8 bytes. Values become segment names and
    /// user ids inside index keys, which PostgreSQL caps at 2,704 bytes; counting characters would let 1,024
    /// three-byte characters through and fail at the write.
    /// </summary>
    public const int MaxValueBytes = 1024;

    /// <summary>Why <paramref name="text"/> cannot be stored as <paramref name="field"/> (a quoted field name), or null when it can.</summary>
    public static string? Problem(string field, string text, int maxBytes)
    {
        if (text.Length > maxBytes)
        {
            return $"{field} is longer than {maxBytes} bytes";
        }

        var span = text.AsSpan();
        if (span.Contains('\0'))
        {
            return $"{field} contains a NUL character (\\u0000), which cannot be stored";
        }

        if (!Ascii.IsValid(span) && Encoding.UTF8.GetByteCount(span) > maxBytes)
        {
            return $"{field} is longer than {maxBytes} bytes of UTF-8 ({Encoding.UTF8.GetByteCount(span)})";
        }

        if (span.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return null;
        }

        for (var i = 0; i < span.Length; i++)
        {
            if (char.IsHighSurrogate(span[i]) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(span[i]))
            {
                return $"{field} contains an unpaired surrogate (\\u{(int)span[i]:x4}), which is not valid Unicode";
            }
        }

        return null;
    }

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

    /// <summary>Reads and checks a string token in one step: <see cref="Read"/>, then <see cref="Problem"/>.</summary>
    public static string? ReadChecked(ref Utf8JsonReader reader, string field, int maxBytes, out string text) =>
        Read(ref reader, field, out text) ?? Problem(field, text, maxBytes);
}
