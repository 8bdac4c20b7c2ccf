using System.Diagnostics;
using System.Text.RegularExpressions;
using DotNet.Testcontainers.Builders;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace MetricPipeline.IntegrationTests.Infrastructure;

/// <summary>
/// Where the real PostgreSQL and RabbitMQ come from, decided once per test run:
/// 1. <c>ConnectionStrings__Postgres</c> and <c>ConnectionStrings__RabbitMq</c> from the environment;
/// 2. otherwise Testcontainers, when a Docker engine answers;
/// 3. otherwise the project's <c>deploy/local-services.sh</c>, which installs and starts both on loopback.
/// </summary>
public static partial class TestServices
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Endpoints? endpoints;

    public sealed record Endpoints(string Postgres, Uri RabbitMq, Uri RabbitManagement, string Source);

    public static async Task<Endpoints> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            endpoints ??= await DiscoverAsync();
            return endpoints;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<Endpoints> DiscoverAsync()
    {
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
        var rabbit = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        if (!string.IsNullOrEmpty(pg) && !string.IsNullOrEmpty(rabbit))
        {
            var management = Environment.GetEnvironmentVariable("METRICPIPELINE_RABBITMQ_MANAGEMENT")
                ?? $"http://guest:guest@{new Uri(rabbit).Host}:15672";
            return Log(new Endpoints(pg, new Uri(rabbit), new Uri(management), "environment variables"));
        }

        if (Environment.GetEnvironmentVariable("METRICPIPELINE_USE_TESTCONTAINERS") == "1" || await DockerAnswersAsync())
        {
            // postgres:15 with the hll extension, built from deploy/postgres.Dockerfile.
            var image = new ImageFromDockerfileBuilder()
                .WithDockerfileDirectory(Path.Combine(RepositoryRoot(), "deploy"))
                .WithDockerfile("postgres.Dockerfile")
                .WithName("metricpipeline-postgres:15")
                .Build();
            await image.CreateAsync();
            var postgres = new PostgreSqlBuilder(image.FullName).Build();
            var rabbitContainer = new RabbitMqBuilder("rabbitmq:3-management").WithPortBinding(15672, true).Build();
            await Task.WhenAll(postgres.StartAsync(), rabbitContainer.StartAsync());
            var mgmt = new UriBuilder("http", rabbitContainer.Hostname, rabbitContainer.GetMappedPublicPort(15672)) { UserName = "rabbitmq", Password = "rabbitmq" }.Uri;
            return Log(new Endpoints(postgres.GetConnectionString(), new Uri(rabbitContainer.GetConnectionString()), mgmt, "Testcontainers"));
        }

        return Log(await StartLocalServicesAsync());
    }

    private static Endpoints Log(Endpoints found)
    {
        Console.WriteLine($"[integration] PostgreSQL and RabbitMQ from {found.Source}");
        return found;
    }

    private static async Task<bool> DockerAnswersAsync()
    {
        try
        {
            var (code, _) = await RunAsync("docker", ["info"], TimeSpan.FromSeconds(10));
            return code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static async Task<Endpoints> StartLocalServicesAsync()
    {
        var script = Path.Combine(RepositoryRoot(), "deploy", "local-services.sh");
        var (startCode, startOut) = await RunAsync("bash", [script, "start"], TimeSpan.FromMinutes(5));
        if (startCode != 0)
        {
            throw new InvalidOperationException($"deploy/local-services.sh start failed ({startCode}):\n{startOut}");
        }

        var (_, env) = await RunAsync("bash", [script, "env"], TimeSpan.FromMinutes(1));
        var values = ExportLine().Matches(env).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        return new Endpoints(
            values["ConnectionStrings__Postgres"],
            new Uri(values["ConnectionStrings__RabbitMq"]),
            new Uri(values["METRICPIPELINE_RABBITMQ_MANAGEMENT"]),
            "deploy/local-services.sh");
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MetricPipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("MetricPipeline.sln not found above the test folder");
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"export (\w+)='([^']*)'")]
    private static partial Regex ExportLine();
}
