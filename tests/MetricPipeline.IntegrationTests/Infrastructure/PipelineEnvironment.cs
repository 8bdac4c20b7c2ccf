using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;

namespace MetricPipeline.IntegrationTests.Infrastructure;

/// <summary>
/// One test class's private corner of the real servers: its own database and its own RabbitMQ
/// vhost, both created fresh and dropped at the end, so classes never see each other's data.
/// </summary>
public sealed class PipelineEnvironment : IAsyncLifetime
{
    private readonly List<ServerProcess> servers = [];
    private TestServices.Endpoints endpoints = null!;

    public string Name { get; } = "mp_" + Guid.NewGuid().ToString("N")[..12];

    public string PostgresConnectionString { get; private set; } = "";

    public string RabbitMqUri { get; private set; } = "";

    /// <summary>This environment's RabbitMQ vhost (the same name as its database).</summary>
    public string VirtualHost => Name;

    public const string IngestKey = "test-ingest-key";
    public const string AdminKey = "test-admin-key";

    public async Task InitializeAsync()
    {
        endpoints = await TestServices.GetAsync();
        await using (var admin = new NpgsqlConnection(endpoints.Postgres))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        PostgresConnectionString = new NpgsqlConnectionStringBuilder(endpoints.Postgres) { Database = Name, MaxPoolSize = 40 }.ConnectionString;

        using var management = ManagementClient();
        (await management.PutAsync($"api/vhosts/{Name}", null)).EnsureSuccessStatusCode();
        var user = endpoints.RabbitMq.UserInfo.Split(':')[0];
        (await management.PutAsJsonAsync($"api/permissions/{Name}/{Uri.EscapeDataString(user)}", new { configure = ".*", write = ".*", read = ".*" }))
            .EnsureSuccessStatusCode();
        RabbitMqUri = new UriBuilder(endpoints.RabbitMq) { Path = "/" + Name }.Uri.ToString();
    }

    /// <summary>Starts a server process with the given roles (and extra settings) on this environment.</summary>
    public async Task<ServerProcess> StartServerAsync(string roles = "all", IReadOnlyDictionary<string, string>? settings = null)
    {
        var env = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = PostgresConnectionString,
            ["ConnectionStrings__RabbitMq"] = RabbitMqUri,
            ["Roles"] = roles,
            ["Auth__IngestKeys__0"] = IngestKey,
            ["Auth__AdminKeys__0"] = AdminKey,
            ["Ingest__RequestsPerSecond"] = "10000",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        var server = await ServerProcess.StartAsync(env);
        servers.Add(server);
        return server;
    }

    public async Task DisposeAsync()
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        await DropDatabaseAsync();
        using var management = ManagementClient();
        await management.DeleteAsync($"api/vhosts/{Name}");
    }

    private Task DropDatabaseAsync() => TestDatabases.DropAsync(endpoints.Postgres, Name);

    /// <summary>RabbitMQ's management HTTP API, authenticated.</summary>
    public HttpClient ManagementClient()
    {
        var uri = endpoints.RabbitManagement;
        var client = new HttpClient { BaseAddress = new UriBuilder(uri) { UserName = "", Password = "", Path = "/" }.Uri };
        var credentials = Uri.UnescapeDataString(uri.UserInfo);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials)));
        return client;
    }
}
