namespace MetricPipeline.Evaluation;

/// <summary>Finds the repository's <c>tests/data</c> (reference series and benchmark subsets) above the working directory or the binary.</summary>
internal static class TestData
{
    public static string Root { get; } = Find();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "data");
                if (Directory.Exists(Path.Combine(candidate, "tcpd")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException("tests/data not found above the working directory or the binary");
    }
}
