using System.Diagnostics;

namespace MetricPipeline.Cli.Tests;

public sealed record CliResult(int ExitCode, string StdOut, string StdErr);

/// <summary>Runs the built <c>metricpipe.dll</c> as a separate process, exactly as a user would.</summary>
public static class CliRunner
{
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "metricpipe.dll");

    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DllPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
