using System.Diagnostics;

namespace MetricPipeline.IntegrationTests.Infrastructure;

/// <summary>Runs the built <c>metricpipe</c> CLI as its own process, as a person or a script would.</summary>
public static class MetricpipeCli
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The CLI's own build output: the test folder holds the server's (ASP.NET) dependency set, not the CLI's.
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        start.ArgumentList.Add(Path.Combine(TestServices.RepositoryRoot(), "src", "MetricPipeline.Cli", "bin", configuration, "net10.0", "metricpipe.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
