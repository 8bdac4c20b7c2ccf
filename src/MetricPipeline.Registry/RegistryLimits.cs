namespace MetricPipeline.Registry;

/// <summary>
/// Bounds on a registry document, so that reading one costs at most a few milliseconds and a little memory whatever
/// it holds. A real registry (seeds/metrics.yaml) is a few kilobytes, nests five levels deep and holds tens of metrics.
/// </summary>
public static class RegistryLimits
{
    /// <summary>Largest document accepted by <c>POST /v1/registry</c> or <c>PUT /v1/metrics/{key}</c>; larger is 413.</summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    /// <summary>Deepest nesting of mappings and lists.</summary>
    public const int MaxDepth = 16;

    /// <summary>Most scalars, mappings and lists in one document.</summary>
    public const int MaxNodes = 200_000;

    /// <summary>Most metrics in one document.</summary>
    public const int MaxMetrics = 2_000;

    /// <summary>Longest metric key.</summary>
    public const int MaxKeyLength = 64;

    /// <summary>Longest name, event, product, owner, unit, dimension, filter or parent value, in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 200;

    /// <summary>Longest description, known limitations or webhook URL, in UTF-8 bytes.</summary>
    public const int MaxTextBytes = 4_000;
}
