using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetricPipeline.Data.Alerts;

/// <summary>
/// The JSON of an alert's parts in its jsonb columns: camelCase as INTERFACE.md spells it; every constructor parameter
/// without a default is required and non-nullable ones must not be null, so an item missing a field fails on its own
/// (and <see cref="AlertDetails"/> leaves it out) instead of reading as zero.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(SixDecimals)])]
[JsonSerializable(typeof(IReadOnlyList<DeploymentMatch>))]
[JsonSerializable(typeof(EffectInterval))]
[JsonSerializable(typeof(AlertContributors))]
[JsonSerializable(typeof(OnsetInterval))]
public sealed partial class AlertPartsJsonContext : JsonSerializerContext;

/// <summary>
/// Numbers of an alert's parts: written to six decimals — enough for any display, and stable across re-runs so an
/// unchanged shift compares equal — and read from a JSON number or a numeric string; a non-finite value is refused.
/// </summary>
public sealed class SixDecimals : JsonConverter<double>
{
    public static double Round(double value) => Math.Round(value, 6);

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.TokenType switch
        {
            JsonTokenType.Number when reader.TryGetDouble(out var number) => number,
            JsonTokenType.String when double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var text) => text,
            _ => double.NaN,
        };
        return double.IsFinite(value) ? value : throw new JsonException($"expected a finite number, got {reader.TokenType}");
    }

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (!double.IsFinite(value))
        {
            throw new JsonException($"an alert's numbers must be finite, got {value}");
        }

        writer.WriteNumberValue(Round(value));
    }
}
