using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace MetricPipeline.LoadRun;

/// <summary>
/// The PostgreSQL and RabbitMQ servers the run uses: from <c>ConnectionStrings__Postgres</c> /
/// <c>ConnectionStrings__RabbitMq</c> when set, otherwise from <c>deploy/local-services.sh env</c>.
/// Each measurement gets its own fresh database and vhost, dropped afterwards.
/// </summary>
public sealed partial class BenchServices(string postgres, Uri rabbitMq, Uri management)
{
    public string Postgres { get; } = postgres;

    public Uri RabbitMq { get; } = rabbitMq;

    public static async Task<BenchServices> DiscoverAsync(string repositoryRoot)
    {
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
        var rabbit = Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq");
        var mgmt = Environment.GetEnvironmentVariable("METRICPIPELINE_RABBITMQ_MANAGEMENT");
        if (string.IsNullOrEmpty(pg) || string.IsNullOrEmpty(rabbit))
        {
            var script = Path.Combine(repositoryRoot, "deploy", "local-services.sh");
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(script);
            start.ArgumentList.Add("env");
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            var values = ExportLine().Matches(output).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            if (!values.TryGetValue("ConnectionStrings__Postgres", out pg) || !values.TryGetValue("ConnectionStrings__RabbitMq", out rabbit))
            {
                throw new InvalidOperationException(
                    "no servers: set ConnectionStrings__Postgres and ConnectionStrings__RabbitMq, or run `deploy/local-services.sh start` first");
            }

            mgmt = values.GetValueOrDefault("METRICPIPELINE_RABBITMQ_MANAGEMENT");
        }

        var rabbitUri = new Uri(rabbit);
        return new BenchServices(pg, rabbitUri, new Uri(mgmt ?? $"http://guest:guest@{rabbitUri.Host}:15672"));
    }

    /// <summary>Creates a database and a vhost named <paramref name="name"/>; returns their connection strings.</summary>
    public async Task<(string Postgres, Uri RabbitMq)> CreateAsync(string name)
    {
        var connection = await CreateDatabaseAsync(name);
        using var client = ManagementClient();
        (await client.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
        var user = Uri.UnescapeDataString(RabbitMq.UserInfo.Split(':')[0]);
        (await client.PutAsJsonAsync($"api/permissions/{name}/{Uri.EscapeDataString(user)}", new { configure = ".*", write = ".*", read = ".*" }))
            .EnsureSuccessStatusCode();
        return (connection, new UriBuilder(RabbitMq) { Path = "/" + name }.Uri);
    }

    /// <summary>Creates a database named <paramref name="name"/> (no vhost); returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var admin = new NpgsqlConnection(Postgres))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(Postgres) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// Drops the database and vhost. A backend of another role (an autovacuum worker) can make the
    /// forced drop fail for a moment; it is retried, and a database left behind is reported, not fatal.
    /// </summary>
    public async Task DropAsync(string name)
    {
        await DropDatabaseAsync(name);
        using var client = ManagementClient();
        await client.DeleteAsync($"api/vhosts/{name}");
    }

    /// <summary>Drops the database <paramref name="name"/> (see <see cref="DropAsync"/>).</summary>
    public async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var admin = new NpgsqlConnection(Postgres);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
                break;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse)
            {
                if (attempt == 10)
                {
                    await Console.Error.WriteLineAsync($"warning: database {name} was not dropped ({e.MessageText}); drop it by hand");
                    break;
                }

                await Task.Delay(1000);
            }
        }
    }

    /// <summary>The repository's root: the first folder above the current or the program's folder holding MetricPipeline.sln.</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "MetricPipeline.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("MetricPipeline.sln not found above the current or the program's folder: run from the repository");
    }

    /// <summary>The machine's load averages (1, 5, 15 min): it is shared, so figures are printed beside them.</summary>
    public static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    public static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";

    /// <summary>A client of the RabbitMQ management API, with its credentials.</summary>
    public HttpClient ManagementClient()
    {
        var client = new HttpClient { BaseAddress = new UriBuilder(management) { UserName = "", Password = "", Path = "/" }.Uri };
        var credentials = Uri.UnescapeDataString(management.UserInfo);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return client;
    }

    [GeneratedRegex(@"export (\w+)='([^']*)'")]
    private static partial Regex ExportLine();
}
