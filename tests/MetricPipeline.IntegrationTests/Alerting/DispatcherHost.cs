using MetricPipeline.Alerting;
using MetricPipeline.Data;
using MetricPipeline.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MetricPipeline.IntegrationTests.Alerting;

/// <summary>
/// One Slack outbox dispatcher wired as the server wires it (<c>AddAlerting</c>), with its own
/// connection pool as a separate server process would have, and every log line captured.
/// </summary>
public sealed class DispatcherHost : IAsyncDisposable
{
    private readonly ServiceProvider services;
    private readonly NpgsqlDataSource dataSource;
    private bool stopped;

    private DispatcherHost(ServiceProvider services, NpgsqlDataSource dataSource, CapturedLogs logs)
    {
        this.services = services;
        this.dataSource = dataSource;
        Logs = logs;
    }

    public CapturedLogs Logs { get; }

    public SlackOutboxSignal Signal => services.GetRequiredService<SlackOutboxSignal>();

    /// <summary>Fast settings for tests; <paramref name="settings"/> (keys under <c>Slack:</c>) override them.</summary>
    public static async Task<DispatcherHost> StartAsync(string connectionString, IReadOnlyDictionary<string, string?> settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Slack:DashboardBaseUrl"] = "http://127.0.0.1:5080",
            ["Slack:PollInterval"] = "00:00:00.100",
            ["Slack:AllowedHosts:0"] = "127.0.0.1",
            ["Slack:AllowHttp"] = "true",
            ["Slack:AllowPrivateAddresses"] = "true",
            ["Slack:AttemptTimeout"] = "00:00:10", // roomy, so a loaded machine cannot turn an answer into a timeout
            ["Slack:BatchSize"] = "5",
            ["Slack:LeaseMargin"] = "00:00:01",
            ["Slack:BaseBackoff"] = "00:00:00.200",
            ["Slack:MaxBackoff"] = "00:00:02",
        };
        foreach (var (key, value) in settings)
        {
            values["Slack:" + key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var logs = new CapturedLogs();
        var dataSource = NpgsqlDataSource.Create(connectionString);
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs))
            .AddSingleton(dataSource)
            .AddDbContext<MetricPipelineDbContext>(o => o.UseNpgsql(dataSource))
            .AddAlerting(configuration)
            .BuildServiceProvider();
        var host = new DispatcherHost(services, dataSource, logs);
        await services.GetRequiredService<SlackOutboxDispatcher>().StartAsync(CancellationToken.None);
        return host;
    }

    /// <summary>A graceful stop: the host's cancellation, then waiting for the dispatcher to finish.</summary>
    public async Task StopAsync()
    {
        if (!stopped)
        {
            stopped = true;
            await services.GetRequiredService<SlackOutboxDispatcher>().StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await services.DisposeAsync();
        await dataSource.DisposeAsync();
        Logs.Dispose();
    }
}
