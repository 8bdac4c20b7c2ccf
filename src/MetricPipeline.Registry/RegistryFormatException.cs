namespace MetricPipeline.Registry;

/// <summary>
/// A registry document could not be read: bad syntax, unknown fields, wrong types or unknown
/// enum values. <see cref="Errors"/> holds every problem found, each naming the metric, the field
/// and (for YAML) the line.
/// </summary>
public sealed class RegistryFormatException : Exception
{
    public RegistryFormatException(IReadOnlyList<string> errors)
        : base(errors.Count == 1 ? errors[0] : $"{errors.Count} problems in the registry document: " + string.Join("; ", errors))
    {
        Errors = errors;
    }

    public RegistryFormatException()
        : this(["the registry document is invalid"])
    {
    }

    public RegistryFormatException(string message)
        : this([message])
    {
    }

    public RegistryFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public IReadOnlyList<string> Errors { get; }
}
