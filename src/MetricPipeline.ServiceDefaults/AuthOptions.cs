namespace MetricPipeline.ServiceDefaults;

/// <summary>Bearer keys, bound from <c>Auth__IngestKeys__0</c>, <c>Auth__AdminKeys__0</c>, ….</summary>
public sealed class AuthOptions
{
    public List<string> IngestKeys { get; set; } = [];
    public List<string> AdminKeys { get; set; } = [];
}

public enum KeyKind { Ingest, Admin }
