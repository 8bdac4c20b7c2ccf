namespace MetricPipeline.Cli.Tests;

/// <summary>Finds the checkout's <c>seeds/</c> folder above the test output folder.</summary>
public static class SeedFiles
{
    public static string PathOf(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "seeds", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"seeds/{name} not found above {AppContext.BaseDirectory}");
    }
}
