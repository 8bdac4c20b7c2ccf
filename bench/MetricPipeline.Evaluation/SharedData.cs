namespace MetricPipeline.Evaluation;

/// <summary>Finds shared/ (reference and data) above the working directory or the binary, or at $METRICPIPELINE_SHARED.</summary>
internal static class SharedData
{
    public static string Root { get; } = Find();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("METRICPIPELINE_SHARED");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared");
                if (Directory.Exists(Path.Combine(candidate, "data")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("shared/ not found above the working directory; set METRICPIPELINE_SHARED");
    }
}
