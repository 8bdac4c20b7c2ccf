using System.CommandLine;

namespace MetricPipeline.Cli;

/// <summary>Options every command understands.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Server = new("--server")
    {
        Description = "Server base URL",
        DefaultValueFactory = _ => "http://127.0.0.1:5080",
        Recursive = true,
    };

    public static readonly Option<string?> Key = new("--key")
    {
        Description = "Bearer key (default: $METRICPIPE_KEY)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("METRICPIPE_KEY"),
        Recursive = true,
    };
}
