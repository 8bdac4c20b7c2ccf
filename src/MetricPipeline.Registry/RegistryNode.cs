namespace MetricPipeline.Registry;

/// <summary>
/// A format-neutral view of a parsed registry document (YAML or JSON), so one mapper checks
/// fields, types and enum values the same way for both. <see cref="Line"/> is 1-based and only
/// known for YAML.
/// </summary>
internal abstract record RegistryNode(int? Line)
{
    public abstract string Describe();
}

/// <summary>A scalar; <see cref="Value"/> is null for YAML <c>null</c>/<c>~</c>/empty and JSON <c>null</c>.</summary>
internal sealed record RegistryScalar(string? Value, int? Line) : RegistryNode(Line)
{
    public override string Describe() => Value is null ? "null" : "a scalar";
}

internal sealed record RegistryMap(IReadOnlyList<KeyValuePair<string, RegistryNode>> Entries, int? Line) : RegistryNode(Line)
{
    public override string Describe() => "a mapping";
}

internal sealed record RegistryList(IReadOnlyList<RegistryNode> Items, int? Line) : RegistryNode(Line)
{
    public override string Describe() => "a list";
}
