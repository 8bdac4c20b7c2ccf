using System.Globalization;
using System.Text.Json;

namespace MetricPipeline.Ingest.Segment;

/// <summary>What the request around one call says: the source's product, the batch's context and the client's send time.</summary>
public sealed record SegmentEnvelope(string? SourceProduct, JsonElement? BatchContext, JsonElement? SentAt, DateTimeOffset ReceivedAt, bool ImpliedTrack);

/// <summary>What became of one Segment call.</summary>
public enum CallOutcome
{
    /// <summary>A track call, written as a MetricPipeline event.</summary>
    Event,

    /// <summary>identify, page, screen, group or alias: accepted, not counted.</summary>
    Ignored,

    /// <summary>Refused, for the reason given.</summary>
    Refused,
}

/// <summary>
/// Turns one call of the Segment Tracking API into the event JSON that <c>POST /v1/events</c> takes,
/// so that the same <see cref="EventParser"/> validates both: <c>event</c> → name, <c>userId</c> else
/// <c>anonymousId</c> → user, <c>messageId</c> → a version-5 UUID id, <c>timestamp</c> (else
/// <c>originalTimestamp</c>, else the receipt time) corrected for client clock skew → timestamp,
/// scalar <c>properties</c> (nested objects flattened with dots, arrays left out) → properties, the
/// configured value property → value, chosen <c>context</c> fields → <c>context.*</c> properties.
/// </summary>
public sealed class SegmentCallTranslator(SegmentOptions options)
{
    private static readonly HashSet<string> IgnoredTypes = ["identify", "page", "screen", "group", "alias"];

    public CallOutcome Translate(JsonElement call, SegmentEnvelope envelope, Utf8JsonWriter writer, out string? error)
    {
        error = null;
        if (call.ValueKind != JsonValueKind.Object)
        {
            error = $"a call must be a JSON object, got {Describe(call.ValueKind)}";
            return CallOutcome.Refused;
        }

        var type = call.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (type is null && !envelope.ImpliedTrack)
        {
            error = "\"type\" is required: track, identify, page, screen, group or alias";
            return CallOutcome.Refused;
        }

        if (type is not null && IgnoredTypes.Contains(type))
        {
            return CallOutcome.Ignored;
        }

        if (type is not null && type != "track")
        {
            error = $"\"type\" \"{Clip(type)}\" is not a Segment call type: use track, identify, page, screen, group or alias";
            return CallOutcome.Refused;
        }

        string? user = null, product = null;
        var id = Guid.Empty;
        var value = 1.0;
        error = ReadEvent(call, out var name)
            ?? ReadUser(call, out user)
            ?? ReadProduct(call, envelope, out product)
            ?? ReadMessageId(call, product!, out id)
            ?? ReadValue(call, out value);
        if (error is not null)
        {
            return CallOutcome.Refused;
        }

        writer.WriteStartObject();
        writer.WriteString("id", id);
        writer.WriteString("product", product);
        writer.WriteString("name", name);
        WriteTimestamp(call, envelope, writer);
        writer.WriteString("userId", user);
        writer.WriteNumber("value", value);
        writer.WriteStartObject("properties");
        if (call.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            WriteFlattened(properties, "", writer);
        }

        WriteContextDimensions(call, envelope, writer);
        writer.WriteEndObject();
        writer.WriteEndObject();
        return CallOutcome.Event;
    }

    /// <summary>Says an <see cref="EventParser"/> error in the Segment call's own field names.</summary>
    public static string InSegmentTerms(string parserError) =>
        parserError.Replace("\"name\"", "\"event\"", StringComparison.Ordinal);

    private static string? ReadEvent(JsonElement call, out string? name)
    {
        name = null;
        if (!call.TryGetProperty("event", out var e) || e.ValueKind == JsonValueKind.Null)
        {
            return "\"event\" is required on a track call";
        }

        if (e.ValueKind != JsonValueKind.String)
        {
            return $"\"event\" must be a string, got {Describe(e.ValueKind)}";
        }

        name = e.GetString();
        return null;
    }

    private static string? ReadUser(JsonElement call, out string? user)
    {
        user = Identifier(call, "userId") ?? Identifier(call, "anonymousId");
        return user is null ? "a user is required: send \"userId\" or \"anonymousId\" (a non-empty string)" : null;
    }

    private static string? Identifier(JsonElement call, string field)
    {
        if (!call.TryGetProperty(field, out var v))
        {
            return null;
        }

        var text = v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    private string? ReadProduct(JsonElement call, SegmentEnvelope envelope, out string? product)
    {
        product = envelope.SourceProduct;
        if (product is null && ContextValue(call, envelope, "app.name") is { ValueKind: JsonValueKind.String } app && !string.IsNullOrWhiteSpace(app.GetString()))
        {
            product = app.GetString();
        }

        product ??= options.DefaultProduct;
        return product is null
            ? "no product for this call: send \"context.app.name\", or configure Segment__Sources__N__Product for this write key (or Segment__DefaultProduct)"
            : null;
    }

    private static string? ReadMessageId(JsonElement call, string product, out Guid id)
    {
        id = Guid.Empty;
        if (!call.TryGetProperty("messageId", out var m) || m.ValueKind == JsonValueKind.Null)
        {
            // Segment's libraries always send one; without it a retry cannot be recognised.
            id = Guid.NewGuid();
            return null;
        }

        if (m.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(m.GetString()))
        {
            return "\"messageId\" must be a non-empty string";
        }

        id = NameBasedUuid.ForSegmentMessage(product, m.GetString()!);
        return null;
    }

    private string? ReadValue(JsonElement call, out double value)
    {
        value = 1;
        if (!call.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object
            || !properties.TryGetProperty(options.ValueProperty, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var ok = v.ValueKind switch
        {
            JsonValueKind.Number => v.TryGetDouble(out value),
            JsonValueKind.String => double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
        return ok && double.IsFinite(value)
            ? null
            : $"property \"{Clip(options.ValueProperty)}\" is the event's value and must be a number, got {(v.ValueKind == JsonValueKind.String ? $"\"{Clip(v.GetString())}\"" : Describe(v.ValueKind))}";
    }

    /// <summary>
    /// <c>timestamp</c>, else <c>originalTimestamp</c>, else the receipt time (which is what the spec's
    /// skew-corrected <c>sentAt</c> amounts to). When the client's <c>sentAt</c> shows its clock off by
    /// more than the tolerance, the time moves by that skew: <c>receivedAt − (sentAt − timestamp)</c>.
    /// A time that cannot be read is passed on as sent, for the event validation to refuse with its reason.
    /// </summary>
    private void WriteTimestamp(JsonElement call, SegmentEnvelope envelope, Utf8JsonWriter writer)
    {
        JsonElement? given = call.TryGetProperty("timestamp", out var ts) && ts.ValueKind != JsonValueKind.Null ? ts
            : call.TryGetProperty("originalTimestamp", out var ots) && ots.ValueKind != JsonValueKind.Null ? ots
            : null;
        if (given is not { } raw)
        {
            writer.WriteString("timestamp", envelope.ReceivedAt);
            return;
        }

        JsonElement? sentAt = call.TryGetProperty("sentAt", out var s) && s.ValueKind == JsonValueKind.String ? s : envelope.SentAt;
        if (raw.ValueKind == JsonValueKind.String && raw.TryGetDateTimeOffset(out var at) && HasOffset(raw.GetString()!)
            && sentAt is { ValueKind: JsonValueKind.String } sent && sent.TryGetDateTimeOffset(out var sentTime))
        {
            var skew = sentTime - envelope.ReceivedAt;
            if (skew.Duration() > options.ClockSkewTolerance)
            {
                writer.WriteString("timestamp", (at - skew).ToUniversalTime());
                return;
            }
        }

        writer.WritePropertyName("timestamp");
        raw.WriteTo(writer);
    }

    private static bool HasOffset(string text)
    {
        var t = text.IndexOf('T', StringComparison.Ordinal);
        return t > 0 && (text.EndsWith('Z') || text.EndsWith('z') || text.AsSpan(t).IndexOfAny('+', '-') > 0);
    }

    /// <summary>Scalars as invariant strings; nested objects as <c>outer.inner</c>; arrays and nulls left out.</summary>
    private void WriteFlattened(JsonElement obj, string prefix, Utf8JsonWriter writer)
    {
        foreach (var p in obj.EnumerateObject())
        {
            var key = prefix + p.Name;
            if (prefix.Length == 0 && p.Name == options.ValueProperty)
            {
                continue;
            }

            if (p.Value.ValueKind == JsonValueKind.Object)
            {
                WriteFlattened(p.Value, key + ".", writer);
            }
            else if (Scalar(p.Value) is { } text)
            {
                writer.WriteString(key, text);
            }
        }
    }

    private void WriteContextDimensions(JsonElement call, SegmentEnvelope envelope, Utf8JsonWriter writer)
    {
        foreach (var path in options.ContextDimensions)
        {
            if (ContextValue(call, envelope, path) is { } v && Scalar(v) is { } text)
            {
                writer.WriteString("context." + path, text);
            }
        }
    }

    /// <summary>A dotted path into the call's <c>context</c>, else into the batch's (the call's own wins, as in Segment's merge).</summary>
    private static JsonElement? ContextValue(JsonElement call, SegmentEnvelope envelope, string path) =>
        (call.TryGetProperty("context", out var own) ? Walk(own, path) : null) ?? (envelope.BatchContext is { } batch ? Walk(batch, path) : null);

    private static JsonElement? Walk(JsonElement element, string path)
    {
        foreach (var part in path.Split('.'))
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(part, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.Null ? null : element;
    }

    private static string? Scalar(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.TryGetInt64(out var i) ? i.ToString(CultureInfo.InvariantCulture) : v.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };

    private static string Clip(string? s) => s is null ? "" : s.Length <= 60 ? s : s[..60] + "…";
}
