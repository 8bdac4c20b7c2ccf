using System.Text;

namespace MetricPipeline.Contracts;

/// <summary>
/// What any text must be for PostgreSQL to store it: no NUL character, valid Unicode (no unpaired surrogate), and a
/// bounded size in UTF-8 bytes (index keys are capped at 2,704 bytes). Checked wherever outside text enters: events,
/// registry documents, query parameters that reach a query.
/// </summary>
public static class StoredText
{
    /// <summary>Longest event <c>product</c> and <c>name</c>, in UTF-8 bytes.</summary>
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

}
