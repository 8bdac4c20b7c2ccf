using System.Diagnostics;
using System.Text.Json;
using MetricPipeline.IntegrationTests.Infrastructure;

namespace MetricPipeline.IntegrationTests.Segment;

/// <summary>
/// The unmodified <c>@segment/analytics-node</c> from npm, installed with <c>npm ci</c> from the lock
/// file in <c>tests/segment-client</c>, driven by its <c>send.mjs</c>.
/// </summary>
public static class NodeSegmentClient
{
    private static readonly SemaphoreSlim Install = new(1, 1);

    public sealed record Run(int ExitCode, string Output);

    public static string Folder => Path.Combine(TestServices.RepositoryRoot(), "tests", "segment-client");

    /// <summary>Writes the calls to a file, sends them through the client, and returns what the client printed.</summary>
    public static async Task<Run> SendAsync(Uri host, string writeKey, IReadOnlyList<object> calls, IReadOnlyList<int> resend)
    {
        await EnsureInstalledAsync();
        var input = Path.Combine(Path.GetTempPath(), $"segment-calls-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(input, JsonSerializer.Serialize(new { host = host.ToString().TrimEnd('/'), writeKey, calls, resend }));
        try
        {
            return await RunAsync("node", ["send.mjs", input], TimeSpan.FromMinutes(5));
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static async Task EnsureInstalledAsync()
    {
        await Install.WaitAsync();
        try
        {
            var installed = Path.Combine(Folder, "node_modules", ".package-lock.json");
            if (File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(Path.Combine(Folder, "package-lock.json")))
            {
                return;
            }

            var npm = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5));
            Assert.True(npm.ExitCode == 0, $"npm ci in tests/segment-client failed ({npm.ExitCode}):\n{npm.Output}");
        }
        finally
        {
            Install.Release();
        }
    }

    private static async Task<Run> RunAsync(string file, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"'{file}' could not be started ({ex.Message}): Node.js 20 and npm are needed; deploy/test.sh installs them", ex);
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
            }

            return new Run(process.ExitCode, (await stdout) + (await stderr));
        }
    }
}
