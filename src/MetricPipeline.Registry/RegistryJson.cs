using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetricPipeline.Registry;

/// <summary>The one JSON shape of definitions: camelCase members, snake_case enum values.</summary>
public static class RegistryJson
{
    public static JsonSerializerOptions SerializerOptions { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
