namespace MetricPipeline.Analysis.Tests;

/// <summary>
/// Locates the reference data that ships with the repository (<c>tests/data</c>), found by walking up
/// from the test output folder. Nothing outside the checkout is read.
/// </summary>
public static class TestData
{
    private static readonly Lazy<string> RootPath = new(Find);

    public static string Root => RootPath.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "data");
            if (Directory.Exists(Path.Combine(candidate, "reference")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"tests/data not found above {AppContext.BaseDirectory}");
    }
}
