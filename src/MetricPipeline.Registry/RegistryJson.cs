using System.Text.Json;
using System.Text.Json.Serialization;

namespace MetricPipeline.Registry;

/// <summary>
/// The one JSON shape of definitions on the wire: camelCase fields, snake_case enum values
/// (<c>north_star</c>, <c>distinct_users</c>), the same as the registry document. Use these options
/// for <c>GET /v1/metrics</c>; for reading untrusted input prefer <see cref="RegistryDocumentReader"/>,
/// which reports every problem with the metric and field named.
/// </summary>
public static class RegistryJson
{
    public static JsonSerializerOptions SerializerOptions { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
