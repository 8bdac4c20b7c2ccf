namespace MetricPipeline.Analysis.Tests;

/// <summary>
/// Locates the project's shared reference data (<c>../shared</c> beside the checkout), or the
/// folder named by <c>METRICPIPELINE_SHARED</c>.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string> RootPath = new(Find);

    public static string Root => RootPath.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("METRICPIPELINE_SHARED");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return Directory.Exists(fromEnv) ? fromEnv : throw new DirectoryNotFoundException($"METRICPIPELINE_SHARED={fromEnv} does not exist");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(Path.Combine(candidate, "reference")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("shared/reference not found above the test folder; set METRICPIPELINE_SHARED");
    }
}
